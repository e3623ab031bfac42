"""Names folded for matching are cached per worker for speed; sealing the vault empties those caches."""
from safepassage.matching import keys, scoring
from safepassage.vault import services as vault


def test_sealing_empties_the_caches_of_folded_names(unsealed_vault):
    keys._words("Магомед Ибрагимов")
    keys.birth_date("1990-04")
    scoring._spelling_similarity("magomed", "mahomed")
    assert keys._words.cache_info().currsize and scoring._spelling_similarity.cache_info().currsize
    vault.seal()
    assert keys._words.cache_info().currsize == 0
    assert keys.birth_date.cache_info().currsize == 0
    assert scoring._spelling_similarity.cache_info().currsize == 0
