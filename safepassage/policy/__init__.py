"""Authorisation rules: ``from safepassage.policy.rules import can, require``."""
