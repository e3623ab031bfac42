"""The vault: the only code in safepassage that touches keys or ciphertext.

Import the services module (``from safepassage.vault import services as vault``) for the API.
"""
