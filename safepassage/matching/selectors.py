"""Reading for matching: candidate lookup by blind index, scoring of the few candidates, the queue.

Only the candidates a record's keys point to are ever decrypted, and every such decryption is
audited (``match.compare`` for the machine comparing, ``person.read`` for a person looking).
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.http import Http404

from safepassage.audit.services import audit_record
from safepassage.people.models import Person
from safepassage.policy.rules import match_scope, require
from safepassage.vault import services as vault

from . import scoring
from .candidates import Candidate, lookup
from .keys import MatchInput, lookup_keys
from .models import MatchKey, MatchKeyCount, MatchSuggestion, MergeRecord

CANDIDATE_LIMIT = 12  # at most this many candidates are decrypted for one record


@dataclass(frozen=True)
class Match:
    person: Person
    score: scoring.Score


def key_digest(kind: str, value: str) -> str:
    """The blind index stored for one candidate key."""
    return vault.blind_index(f"match.{kind}", value)


def _organisation_id(subject, organisation):
    if organisation is not None:
        return getattr(organisation, "pk", organisation)
    return getattr(subject, "organisation_id", None)


def key_digests(keys) -> dict[tuple[str, str], str]:
    """{(kind, value): digest}: ``key_digest`` of many keys at once (the blind-index key set up once)."""
    keys = list(keys)
    return dict(zip(keys, vault.blind_indexes([(f"match.{kind}", value) for kind, value in keys])))


def lookup_digests(record: MatchInput) -> dict[str, str]:
    """{digest: kind} of the keys looked up for `record` (``keys.lookup_keys`` as blind indexes)."""
    return {digest: kind for (kind, _value), digest in key_digests(lookup_keys(record)).items()}


def candidates_for(subject, *, organisation=None, exclude=(), limit: int = CANDIDATE_LIMIT,
                   digests: dict | None = None) -> list[Candidate]:
    """People of the organisation sharing a candidate key with `subject`, most keys first.

    `subject` is a Person (its own organisation; itself excluded) or any plain object with some of
    ``full_name``, ``other_names``, ``date_of_birth``, ``phones`` (a help request), with
    `organisation` given. Nothing is decrypted here but the subject itself, when it is a Person.
    `digests`: the subject's ``lookup_digests``, when the caller has already made them.
    """
    org_id = _organisation_id(subject, organisation)
    if org_id is None:
        raise ValueError("candidates are looked up within one organisation")
    excluded = {uuid.UUID(str(pk)) for pk in exclude}
    if isinstance(subject, Person):
        excluded.add(subject.pk)
    wanted = digests if digests is not None else lookup_digests(MatchInput.of(subject))
    if not wanted:
        return []
    # Queries by person go through the person index alone (ids found within the organisation), so
    # no planner is tempted to walk the (organisation, digest) range of a common digest instead.

    def count(digests):
        holders = dict(MatchKeyCount.objects.filter(organisation_id=org_id, digest__in=digests)
                       .values_list("digest", "holders"))
        if excluded:  # the subject's own keys are stored too: from its side they are nobody else's
            own = MatchKey.objects.filter(person_id__in=excluded, digest__in=digests)
            for org, digest in own.values_list("organisation_id", "digest"):
                if org == org_id:
                    holders[digest] = holders.get(digest, 0) - 1
        return holders

    def rows_of_digests(digests):
        rows = MatchKey.objects.filter(organisation_id=org_id, digest__in=digests).values_list("person_id", "digest")
        return [row for row in rows if row[0] not in excluded]

    def rows_of_people(people, digests):
        return list(MatchKey.objects.filter(person_id__in=list(people), digest__in=digests)
                    .values_list("person_id", "digest"))

    return lookup(wanted, count=count, rows_of_digests=rows_of_digests, rows_of_people=rows_of_people,
                  limit=limit)


def score(a, b, *, name_frequency: int = 1) -> scoring.Score:
    """How alike two records are. Decrypts a Person's names, date of birth and phones: callers audit."""
    return scoring.score(MatchInput.of(a), MatchInput.of(b), name_frequency=name_frequency)


def find_matches(subject, *, organisation=None, exclude=(), actor=None, target=None,
                 digests: dict | None = None) -> list[Match]:
    """Candidates of `subject` decrypted and scored; those likely to be the same person, best first.

    The decryption of the candidates is audited as ``match.compare`` (`actor` is None when the
    platform itself compares, as when a record is written). `digests`: as for ``candidates_for``.
    """
    candidates = candidates_for(subject, organisation=organisation, exclude=exclude, digests=digests)
    if not candidates:
        return []
    people = list(Person.objects.filter(pk__in=[c.person_id for c in candidates]))
    vault.preload_data_keys([p.data_key_id for p in people])
    mine = scoring.profile(MatchInput.of(subject))
    frequency = {c.person_id: c.name_frequency for c in candidates}
    matches = []
    for person in people:
        result = scoring.score_profiles(mine, scoring.profile(person), frequency[person.pk],
                                        at_least=scoring.SUGGEST_AT)
        if result is not None:
            matches.append(Match(person, result))
    if target is None and isinstance(subject, Person):
        target = subject
    audit_record(actor=actor, action="match.compare", target=target,
                 organisation=_organisation_id(subject, organisation),
                 candidates=sorted(str(p.pk) for p in people))
    return sorted((m for m in matches if m.score.suggested), key=lambda m: (-m.score.value, str(m.person.pk)))


def active_merge_of(person) -> MergeRecord | None:
    """The merge that folded `person` into another, if it stands."""
    return MergeRecord.objects.filter(merged=person, undone_at__isnull=True).first()


def merged_away_ids(organisation) -> set[uuid.UUID]:
    """People of the organisation that stand merged into another record (lists may leave them out)."""
    return set(MergeRecord.objects.filter(organisation=organisation, undone_at__isnull=True)
               .values_list("merged_id", flat=True))


# --- the review queue ----------------------------------------------------------------------------

def suggestions_for_review(actor, *, status: str = MatchSuggestion.STATUS_OPEN):
    """The actor's organisation's suggestions in `status`, strongest first. No names: ids and scores."""
    require(actor, "match.review")
    return (MatchSuggestion.objects.filter(match_scope(actor), status=status)
            .select_related("person_a", "person_b", "decided_by").order_by("-score", "created_at"))


def suggestion_for(actor, suggestion_id) -> MatchSuggestion:
    """One suggestion the actor may review; the same 404 for missing and forbidden."""
    try:
        pk = int(suggestion_id)
    except (TypeError, ValueError):
        raise Http404() from None
    suggestion = None
    if pk > 0:
        suggestion = (MatchSuggestion.objects.filter(match_scope(actor), pk=pk)
                      .select_related("person_a", "person_b").first())
    if suggestion is None:
        raise Http404()
    return suggestion


def merge_record_for(actor, record_id) -> MergeRecord:
    """One merge the actor may undo; the same 404 for missing and forbidden."""
    try:
        pk = uuid.UUID(str(record_id))
    except ValueError:
        raise Http404() from None
    record = MergeRecord.objects.filter(match_scope(actor), pk=pk).select_related("keep", "merged").first()
    if record is None:
        raise Http404()
    return record


COMPARED_FIELDS = ("full_name", "other_names", "date_of_birth", "phones", "current_location")


def suggestion_compare(actor, suggestion: MatchSuggestion) -> list[dict]:
    """Both people's identifying fields side by side, for a coordinator to decide. Audited reads."""
    require(actor, "match.review")
    people = [suggestion.person_a, suggestion.person_b]
    vault.preload_data_keys([p.data_key_id for p in people])
    sides = []
    for person in people:
        audit_record(actor=actor, action="person.read", target=person, via="matching",
                     suggestion=suggestion.pk)
        side = {"person": person, "merge": active_merge_of(person)}
        side.update({name: getattr(person, name) for name in COMPARED_FIELDS})
        sides.append(side)
    return sides
