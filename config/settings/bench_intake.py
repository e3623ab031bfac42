"""Settings for bench/intake.py only: production, plus one bare view to compare with, and the
intake's flood limits lifted so the benchmark measures the work, not the refusals."""
from .prod import *  # noqa: F401,F403

ROOT_URLCONF = "config.urls_bench_intake"
INTAKE_RATE_SUBMIT_GLOBAL = (10**9, 60)
INTAKE_RATE_SUBMIT_ADDRESS = (10**9, 60)
