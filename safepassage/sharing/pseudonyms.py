"""Pseudonyms made for one share: what the receiving organisation calls the person.

Drawn at random, so they say nothing about the person and two shares of the same case do not link.
"""
import secrets

_WORDS = ("Alder", "Aspen", "Birch", "Cedar", "Elm", "Fir", "Hazel", "Juniper", "Larch", "Linden", "Maple",
          "Oak", "Pine", "Rowan", "Spruce", "Willow", "Yew", "Amber", "Beacon", "Comet", "Delta", "Ember",
          "Falcon", "Harbor", "Heron", "Lark", "Meadow", "Orbit", "Quartz", "Raven", "River", "Sparrow",
          "Summit", "Tide", "Vale", "Wren")


def pseudonym() -> str:
    return f"{secrets.choice(_WORDS)}-{secrets.randbelow(900) + 100}"
