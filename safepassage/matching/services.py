"""Writing for matching: keys and suggestions kept fresh, decisions, merge and unmerge.

Threat: a wrong merge joins two people's histories (a safe-house stay, a route) and could expose one
to the other's contacts; a merge that cannot be undone would make the mistake permanent. A merge
therefore keeps the merged person's own row untouched, lists by id every record it moved and seals
what it added to the kept person, so ``person_unmerge`` puts both back as they were. Every step is
audited in the same transaction.
"""
from __future__ import annotations

from collections import Counter

from django.apps import apps
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from safepassage.audit.services import audit_record, audit_record_many
from safepassage.core.names import phone_digits, romanise
from safepassage.people.models import Person, PersonIndex
from safepassage.people.services import PersonData, person_data, person_update
from safepassage.policy.rules import require
from safepassage.vault import services as vault

from . import batch, scoring
from .candidates import is_selective
from .keys import MatchInput, birth_date, record_keys
from .models import MatchKey, MatchKeyCount, MatchSuggestion, MergeRecord
from .selectors import CANDIDATE_LIMIT, active_merge_of, find_matches, key_digests


class MergeNotAllowed(Exception):
    """This merge or unmerge would leave records in a state that cannot be undone cleanly."""


# Relations to a person that matching itself manages (or that are rebuilt from the person's fields).
_NOT_MOVED = {MatchKey, MatchSuggestion, MergeRecord, PersonIndex}


# --- keys and their counts -----------------------------------------------------------------------

def _counts_change(pairs, step: int) -> None:
    """Add `step` to the holder count of each (organisation id, digest) in `pairs` (repeats add up).

    Race-free without locks: a missing count row is inserted at zero (a concurrent insert of the same
    row is ignored), then every change is one ``holders = holders + n`` update.
    """
    by_times: dict[int, dict[int, list[str]]] = {}
    for (org, digest), times in Counter(pairs).items():
        by_times.setdefault(times, {}).setdefault(org, []).append(digest)
    if step > 0:
        MatchKeyCount.objects.bulk_create([MatchKeyCount(organisation_id=org, digest=digest, holders=0)
                                           for org, digest in set(pairs)], ignore_conflicts=True)
    for times, by_org in by_times.items():
        for org, digests in by_org.items():
            MatchKeyCount.objects.filter(organisation_id=org, digest__in=digests) \
                .update(holders=F("holders") + step * times)


def _keys_store(keys: list[MatchKey]) -> None:
    if not keys:
        return
    MatchKey.objects.bulk_create(keys)
    _counts_change([(k.organisation_id, k.digest) for k in keys], +1)


def _keys_drop(people) -> None:
    """Delete the keys of `people` (a queryset or list of people or ids) and count them out."""
    rows = MatchKey.objects.filter(person__in=people)
    pairs = list(rows.values_list("organisation_id", "digest"))
    if pairs:
        rows.delete()
        _counts_change(pairs, -1)


def match_keys_forget(*, person: Person) -> None:
    """Remove `person`'s keys before the person row goes (a deletion by any app, or a cascade).

    Connected to Person's ``pre_delete`` in ``apps``: people are deleted by more than one app
    (a crypto-shred, retention), and the counts must follow every one of them.
    """
    _keys_drop([person.pk])


@transaction.atomic
def match_key_counts_rebuild(*, organisation=None) -> int:
    """Recount every digest from the keys themselves (a repair; the counts are kept exact on writes)."""
    counts = MatchKeyCount.objects.all()
    keys = MatchKey.objects.all()
    if organisation is not None:
        counts = counts.filter(organisation=organisation)
        keys = keys.filter(organisation=organisation)
    counts.delete()
    rows = [MatchKeyCount(organisation_id=org, digest=digest, holders=n)
            for org, digest, n in keys.values_list("organisation_id", "digest").annotate(n=Count("pk")).order_by()]
    MatchKeyCount.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


# --- keys and suggestions ------------------------------------------------------------------------

def match_keys_refresh(*, person: Person, data=None) -> list[MatchSuggestion]:
    """Store `person`'s candidate keys (blind indexes) and update their open suggestions.

    Called whenever a person's fields are written (``people.services._reindex``). A person merged
    into another has no keys: they are reached through the kept record.
    """
    if active_merge_of(person) is not None:
        _keys_drop([person.pk])
        return []
    record = MatchInput.of(data if data is not None else person)
    looked_up, to_store = record_keys(record)
    digest_of = key_digests(looked_up)  # the stored keys are among these: each key is hashed once
    wanted = {(kind, digest_of[kind, value]) for kind, value in to_store}
    stored = MatchKey.objects.filter(person=person)
    have = {(kind, digest): pk for pk, kind, digest in stored.values_list("pk", "kind", "digest")}
    gone = [pk for key, pk in have.items() if key not in wanted]
    if gone:  # only what changed is written: a common digest's count row is touched only when needed
        stored.filter(pk__in=gone).delete()
        _counts_change([(person.organisation_id, digest) for (kind, digest), pk in have.items() if pk in gone], -1)
    _keys_store([MatchKey(organisation_id=person.organisation_id, person=person, kind=kind, digest=digest)
                 for kind, digest in sorted(wanted - set(have))])
    matches = find_matches(record, organisation=person.organisation_id, exclude={person.pk}, target=person,
                           digests={digest: kind for (kind, _value), digest in digest_of.items()})
    existing = {(s.person_a_id, s.person_b_id): s
                for s in MatchSuggestion.objects.filter(Q(person_a=person) | Q(person_b=person))}
    kept = []
    for match in matches:
        a, b = sorted((person.pk, match.person.pk))
        suggestion = existing.pop((a, b), None)
        if suggestion is None:
            suggestion = MatchSuggestion.objects.create(
                organisation_id=person.organisation_id, person_a_id=a, person_b_id=b,
                score=match.score.value, reasons=list(match.score.reasons))
        elif suggestion.status == MatchSuggestion.STATUS_OPEN:
            suggestion.score, suggestion.reasons = match.score.value, list(match.score.reasons)
            suggestion.save(update_fields=["score", "reasons", "updated_at"])
        kept.append(suggestion)
    stale = [s.pk for s in existing.values() if s.status == MatchSuggestion.STATUS_OPEN]
    MatchSuggestion.objects.filter(pk__in=stale).delete()  # no longer alike enough to ask about
    return kept


_CHUNK = 500  # values per IN (...) list: well under every database's limit on parameters


def _chunks(values: list, size: int = _CHUNK):
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _earlier(org_id, key_of: dict) -> batch.Earlier:
    """What the organisation's stored people hold of the digests in `key_of` ({digest: key}): their
    holder counts, every row of the selective ones, and the common ones' rows of the people those
    rows name; what the one-by-one lookups would have read, in a few chunked queries."""
    holders: dict = {}
    for chunk in _chunks(list(key_of)):
        holders.update(MatchKeyCount.objects.filter(organisation_id=org_id, digest__in=chunk, holders__gt=0)
                       .values_list("digest", "holders"))
    selective = [d for d, n in holders.items() if is_selective(key_of[d][0], n)]
    common = set(holders) - set(selective)
    rows = []
    for chunk in _chunks(selective):
        rows += MatchKey.objects.filter(organisation_id=org_id, digest__in=chunk).values_list("person_id", "digest")
    found = list(dict.fromkeys(person for person, _digest in rows))
    if common:
        for chunk in _chunks(found):  # by person (their index), then kept only for the common digests
            rows += [(person, digest) for person, digest in
                     MatchKey.objects.filter(person_id__in=chunk).values_list("person_id", "digest")
                     if digest in common]
    return batch.Earlier(holders={key_of[d]: n for d, n in holders.items()},
                         rows=[(person, key_of[digest]) for person, digest in rows])


def match_keys_refresh_many(*, people: list[Person], data: list | None = None) -> list[MatchSuggestion]:
    """``match_keys_refresh`` for many new people of one organisation at once (an import).

    The same keys, candidates and suggestions as refreshing them one after another in this order
    (``batch``): each meets the people stored before and those before it in the list. For people just
    created: keys they have are replaced, a suggestion already there for a pair is left as it is.
    `data[i]`: ``people[i]``'s plaintext, when the caller has it (else each person is decrypted once).
    Only the stored people who are candidates are decrypted, audited as ``match.compare`` as one by one.
    """
    if not people:
        return []
    org_id = people[0].organisation_id
    if any(person.organisation_id != org_id for person in people):
        raise ValueError("people are matched within one organisation")
    records = [MatchInput.of(d if d is not None else p) for p, d in zip(people, data or [None] * len(people))]
    for chunk in _chunks([p.pk for p in people]):  # keys of their own would make them their own candidates
        if MatchKey.objects.filter(person_id__in=chunk).exists():
            _keys_drop(chunk)
    with batch.no_cycle_collection():
        keys, stored = batch.batch_keys(records)
        distinct = batch.distinct_keys(keys)
        digest_of = key_digests(distinct)
        earlier = _earlier(org_id, {digest: key for key, digest in digest_of.items()})
        pairs = batch.batch_pairs(keys, stored, [p.pk for p in people], earlier=earlier, limit=CANDIDATE_LIMIT,
                                  distinct=distinct)
        stored_people = {pairs.people[i]: i for i in set(pairs.person.tolist()) if i < pairs.earlier}
        decrypted = [person for chunk in _chunks(list(stored_people))
                     for person in Person.objects.filter(pk__in=chunk)]
        vault.preload_data_keys([p.data_key_id for p in decrypted])
        profiles: list = [None] * pairs.earlier + [scoring.profile(record) for record in records]
        for person in decrypted:
            profiles[stored_people[person.pk]] = scoring.profile(person)
        found = batch.batch_scores(pairs, profiles)
    _keys_store([MatchKey(organisation_id=org_id, person=people[i], kind=kind, digest=digest_of[kind, value])
                 for i, (own, n) in enumerate(zip(keys, stored)) for kind, value in sorted(own[:n])])
    suggestions = []
    for record, other, score in found:
        a, b = sorted((people[record].pk, pairs.people[other]))
        suggestions.append(MatchSuggestion(organisation_id=org_id, person_a_id=a, person_b_id=b,
                                           score=score.value, reasons=list(score.reasons)))
    MatchSuggestion.objects.bulk_create(suggestions, batch_size=1000, ignore_conflicts=True)
    compared: dict[int, list[str]] = {}
    for record, other in zip(pairs.record.tolist(), pairs.person.tolist()):
        compared.setdefault(record, []).append(str(pairs.people[other]))
    audit_record_many({"actor": None, "action": "match.compare", "target": people[record],
                       "organisation": org_id, "candidates": sorted(candidates)}
                      for record, candidates in sorted(compared.items()))
    return suggestions


@transaction.atomic
def suggestion_dismiss(*, actor, suggestion: MatchSuggestion) -> None:
    """A coordinator decided the two are different people: the pair is not suggested again."""
    require(actor, "match.review")
    if suggestion.status != MatchSuggestion.STATUS_OPEN:
        raise MergeNotAllowed("only an open suggestion can be dismissed")
    suggestion.status = MatchSuggestion.STATUS_NOT_DUPLICATE
    suggestion.decided_by, suggestion.decided_at = actor, timezone.now()
    suggestion.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    audit_record(actor=actor, action="match.dismiss", target=suggestion, organisation=suggestion.organisation_id,
                 people=[str(suggestion.person_a_id), str(suggestion.person_b_id)])


# --- merge ---------------------------------------------------------------------------------------

def _name_key(name: str) -> str:
    return " ".join(romanise(name).split())


def _combined(keep: PersonData, other: PersonData) -> tuple[PersonData, dict]:
    """`keep`'s data with what only `other` knows added, and a note of exactly what was added."""
    new = PersonData(**{**keep.__dict__, "other_names": list(keep.other_names), "phones": list(keep.phones),
                        "messengers": list(keep.messengers)})
    added: dict = {"other_names": [], "phones": [], "messengers": [], "before": {}, "set": {}}
    known_names = {_name_key(n) for n in [keep.full_name, *keep.other_names] if n}
    for name in [other.full_name, *other.other_names]:
        if name and _name_key(name) not in known_names:
            known_names.add(_name_key(name))
            if not new.full_name:
                added["before"]["full_name"], added["set"]["full_name"] = new.full_name, name
                new.full_name = name
            else:
                new.other_names.append(name)
                added["other_names"].append(name)
    known_phones = {phone_digits(p) for p in keep.phones}
    for phone in other.phones:
        if phone_digits(phone) not in known_phones:
            known_phones.add(phone_digits(phone))
            new.phones.append(phone)
            added["phones"].append(phone)
    for messenger in other.messengers:
        if messenger not in new.messengers:
            new.messengers.append(messenger)
            added["messengers"].append(messenger)
    mine, theirs = birth_date(keep.date_of_birth), birth_date(other.date_of_birth)
    # a more precise date of birth that agrees with what the kept record says is taken over
    if theirs and (not mine or (other.date_of_birth.startswith(keep.date_of_birth)
                                and len(other.date_of_birth) > len(keep.date_of_birth))):
        added["before"]["date_of_birth"], added["set"]["date_of_birth"] = keep.date_of_birth, other.date_of_birth
        new.date_of_birth = other.date_of_birth
    for name in ("current_location", "gender"):
        if not getattr(new, name) and getattr(other, name):
            added["before"][name], added["set"][name] = "", getattr(other, name)
            setattr(new, name, getattr(other, name))
            if name == "gender":
                added["before"]["gender_self_described"] = ""
                added["set"]["gender_self_described"] = new.gender_self_described = other.gender_self_described
    return new, added


def _relations():
    """(model, field name) of every foreign key to Person that a merge moves."""
    for rel in Person._meta.related_objects:
        if rel.related_model in _NOT_MOVED:
            continue
        yield rel


def _move_relations(*, source: Person, target: Person) -> list[dict]:
    moved = []
    for rel in _relations():
        model, field = rel.related_model, rel.field.name
        if rel.many_to_many:
            if model._base_manager.filter(**{rel.field.name: source}).exists():
                raise MergeNotAllowed(f"{model._meta.label_lower} links cannot be moved")
            continue
        rows = model._base_manager.filter(**{field: source})
        ids = list(rows.values_list("pk", flat=True))
        if not ids:
            continue
        if rel.one_to_one and model._base_manager.filter(**{field: target}).exists():
            raise MergeNotAllowed(f"both people have a {model._meta.label_lower}")
        rows.update(**{field: target})
        moved.append({"model": model._meta.label_lower, "field": field, "ids": [str(pk) for pk in ids]})
    return moved


@transaction.atomic
def person_merge(*, actor, keep: Person, merge: Person, suggestion: MatchSuggestion | None = None) -> MergeRecord:
    """Fold `merge` into `keep`: cases, attachments and every other record move to `keep`; names,
    phones and a more precise date of birth are added to `keep`; `merge` stays as it was, marked as
    merged, so ``person_unmerge`` can restore both exactly."""
    require(actor, "match.review")
    require(actor, "person.edit", keep)
    require(actor, "person.edit", merge)
    keep = Person.objects.select_for_update().get(pk=keep.pk)
    merge = Person.objects.select_for_update().get(pk=merge.pk)
    if keep.pk == merge.pk or keep.organisation_id != merge.organisation_id:
        raise MergeNotAllowed("a person is merged with another person of the same organisation")
    if active_merge_of(keep) or active_merge_of(merge):
        raise MergeNotAllowed("one of them is already merged into another record")
    new_data, added = _combined(person_data(keep), person_data(merge))
    moved = _move_relations(source=merge, target=keep)
    if suggestion is None:
        a, b = sorted((keep.pk, merge.pk))
        suggestion = MatchSuggestion.objects.filter(person_a_id=a, person_b_id=b).first()
    record = MergeRecord(organisation_id=keep.organisation_id, keep=keep, merged=merge, suggestion=suggestion,
                         moved=moved, merged_by=actor, data_key_id=keep.data_key_id)
    record.added = added
    record.save()
    # the merged person leaves the queue: their keys and their other open suggestions go
    _keys_drop([merge.pk])
    MatchSuggestion.objects.filter(Q(person_a=merge) | Q(person_b=merge), status=MatchSuggestion.STATUS_OPEN) \
        .exclude(pk=getattr(suggestion, "pk", None)).delete()
    if suggestion is not None:
        suggestion.status = MatchSuggestion.STATUS_MERGED
        suggestion.decided_by, suggestion.decided_at = actor, timezone.now()
        suggestion.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    person_update(actor=actor, person=keep, data=new_data)  # audited; refreshes keep's keys
    audit_record(actor=actor, action="person.merge", target=keep, merged=str(merge.pk), merge=str(record.pk),
                 moved={entry["model"]: len(entry["ids"]) for entry in moved},
                 suggestion=getattr(suggestion, "pk", None))
    return record


def _remove_once(values: list, removed: list) -> list:
    values = list(values)
    for item in removed:
        if item in values:
            values.remove(item)
    return values


@transaction.atomic
def person_unmerge(*, actor, merge_record: MergeRecord) -> None:
    """Undo a merge: what moved goes back by id, what was added to the kept person is taken away
    (edits made since are left alone), and the merged person is matched again."""
    require(actor, "match.review")
    record = MergeRecord.objects.select_for_update().select_related("keep", "merged").get(pk=merge_record.pk)
    keep, merged = record.keep, record.merged
    require(actor, "person.edit", keep)
    if not record.is_active:
        raise MergeNotAllowed("this merge was already undone")
    if active_merge_of(keep) is not None:
        raise MergeNotAllowed("the kept person was merged again since: undo that merge first")
    for entry in record.moved:
        model = apps.get_model(entry["model"])
        ids = [model._meta.pk.to_python(pk) for pk in entry["ids"]]
        model._base_manager.filter(pk__in=ids, **{entry["field"]: keep}).update(**{entry["field"]: merged})
    added = record.added or {}
    current = person_data(keep)
    current.other_names = _remove_once(current.other_names, added.get("other_names", []))
    current.phones = _remove_once(current.phones, added.get("phones", []))
    current.messengers = _remove_once(current.messengers, added.get("messengers", []))
    for name, before in added.get("before", {}).items():
        if getattr(current, name) == added["set"].get(name):
            setattr(current, name, before)
    record.undone_by, record.undone_at = actor, timezone.now()
    record.added = {}
    record.save(update_fields=["undone_by", "undone_at", "added"])
    person_update(actor=actor, person=keep, data=current)
    suggestion = record.suggestion
    if suggestion is not None and suggestion.status == MatchSuggestion.STATUS_MERGED:
        suggestion.status = MatchSuggestion.STATUS_OPEN
        suggestion.decided_by = suggestion.decided_at = None
        suggestion.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    match_keys_refresh(person=merged, data=person_data(merged))
    audit_record(actor=actor, action="person.unmerge", target=keep, merged=str(merged.pk), merge=str(record.pk))
