import hashlib
import hmac

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from safepassage.vault import crypto, keyholder
from safepassage.vault import services as vault
from safepassage.vault.errors import DecryptionFailed, InvalidShare, KeyShredded, VaultSealed
from safepassage.vault.models import DataKey


@pytest.fixture
def shamir_vault(db):
    shares = vault.initialise(shares=5, threshold=3)
    yield shares
    vault.seal()


def test_a_new_real_vault_starts_sealed_and_prints_each_share(shamir_vault):
    assert len(shamir_vault) == 5 and len(set(shamir_vault)) == 5
    assert all(s.startswith("SP1-") for s in shamir_vault)
    assert not vault.is_unsealed()


def test_three_of_five_shares_unseal(shamir_vault):
    assert vault.unseal_with_share(shamir_vault[4]).accepted == 1
    assert vault.unseal_with_share(shamir_vault[1]).accepted == 2
    progress = vault.unseal_with_share(shamir_vault[2])
    assert progress.unsealed and vault.is_unsealed()


def test_a_share_with_a_typo_is_refused_before_it_is_used(shamir_vault):
    share = shamir_vault[0]
    typo = share[:-1] + ("A" if share[-1] != "A" else "B")
    with pytest.raises(InvalidShare):
        vault.unseal_with_share(typo)
    assert vault.pending_share_count() == 0


def test_a_share_of_another_vault_is_refused(shamir_vault):
    foreign = crypto.share_encode(crypto.split(crypto.random_key(), 3, 2)[0])
    with pytest.raises(InvalidShare, match="does not belong"):
        vault.unseal_with_share(foreign)


def test_passphrase_mode_unseals_only_with_the_passphrase(db):
    vault.initialise(mode="passphrase", passphrase="a long enough passphrase here")
    assert not vault.is_unsealed()
    assert vault.unseal_with_passphrase("wrong passphrase, long too") is False
    assert vault.unseal_with_passphrase("a long enough passphrase here") is True
    vault.seal()


def test_sealing_makes_every_read_fail(unsealed_vault):
    key_id = vault.data_key_create()
    blob = vault.encrypt(key_id, b"secret", "x")
    vault.seal()
    with pytest.raises(VaultSealed):
        vault.decrypt(key_id, blob, "x")
    assert keyholder.master_key() is None


def test_a_ciphertext_moved_to_another_record_does_not_open(unsealed_vault):
    key_id = vault.data_key_create()
    blob = vault.encrypt(key_id, b"secret", "people.Person.full_name:1")
    with pytest.raises(DecryptionFailed):
        vault.decrypt(key_id, blob, "people.Person.full_name:2")


def test_shredding_a_data_key_makes_its_data_unrecoverable(unsealed_vault):
    key_id = vault.data_key_create()
    blob = vault.encrypt(key_id, b"secret", "x")
    vault.shred([key_id])
    assert not DataKey.objects.filter(pk=key_id).exists()
    with pytest.raises(KeyShredded):
        vault.decrypt(key_id, blob, "x")


def test_rotation_rewraps_every_key_and_retires_the_old_shares(shamir_vault):
    for share in shamir_vault[:3]:
        vault.unseal_with_share(share)
    key_id = vault.data_key_create()
    blob = vault.encrypt(key_id, b"kept", "x")
    index = vault.blind_index("name", "magomed")
    new_shares = vault.rotate()
    assert vault.decrypt(key_id, blob, "x") == b"kept"
    assert vault.blind_index("name", "magomed") == index
    vault.seal()
    with pytest.raises(InvalidShare):
        vault.unseal_with_share(shamir_vault[0])
    for share in new_shares[:3]:
        vault.unseal_with_share(share)
    assert vault.decrypt(key_id, blob, "x") == b"kept"


def test_the_seal_watcher_never_pulls_keys_from_under_a_reader(unsealed_vault):
    """A worker's watcher thread runs beside requests; reads right after an unseal must not break."""
    import threading

    from safepassage.vault import keyholder as holder

    key_id = vault.data_key_create()
    blob = vault.encrypt(key_id, b"kept", "x")
    master = holder.master_key()
    stop = threading.Event()

    def watch():
        while not stop.is_set():
            vault.drop_local_keys_if_sealed()

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        for _ in range(200):
            holder.load(master)  # a fresh unseal: a new generation each time
            assert vault.decrypt(key_id, blob, "x") == b"kept"
            assert len(vault.blind_index("name", "magomed")) == 32
    finally:
        stop.set()
        watcher.join()


@settings(max_examples=50, deadline=None)
@given(key=st.binary(min_size=32, max_size=32), messages=st.lists(st.binary(max_size=300), max_size=20))
def test_many_macs_are_each_the_mac_of_the_standard_hmac(key, messages):
    """Blind indexes stored years ago must still be found: the batch MAC gives HMAC-SHA256's bytes."""
    expected = [hmac.new(key, m, hashlib.sha256).digest() for m in messages]
    assert crypto.macs(key, messages) == expected == [crypto.mac(key, m) for m in messages]
