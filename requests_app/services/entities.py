"""Setting up a covered entity so that it can receive every kind of request."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction

from ..models import DeadlinePolicy, Entity, EntityPolicy
from ..rules.deadlines import DeadlineRule, default_rules
from ..rules.kinds import DeadlineKey


@transaction.atomic
def entity_add_default_deadlines(
    *, entity: Entity, overrides: Mapping[DeadlineKey, DeadlineRule] | None = None
) -> list[DeadlinePolicy]:
    """Give the entity its state's default deadline for every kind it has none for. Without a
    rule, a kind the law gives no deadline (authorizations, continuity of care) could not be
    received at all. The defaults equal the strictest law (tested in tests/rules); overrides
    are checked against the legal floor like an admin's edit."""
    present = set(entity.deadline_policies.values_list("key", flat=True))
    rules = default_rules(entity.jurisdiction) | dict(overrides or {})
    added = []
    for key, rule in rules.items():
        if key.value in present:
            continue
        policy = DeadlinePolicy.from_rule(entity=entity, key=key, rule=rule)
        if overrides and key in overrides:
            policy.full_clean()
        added.append(policy)
    DeadlinePolicy.objects.bulk_create(added)
    return added


@transaction.atomic
def entity_ensure_policy(*, entity: Entity, **values: object) -> EntityPolicy:
    """The entity's policy, created with the given values (checked against the fee rules)
    when it has none yet."""
    policy = EntityPolicy.objects.filter(entity=entity).first()
    if policy is None:
        policy = EntityPolicy(entity=entity, **values)
        policy.full_clean()
        policy.save()
    return policy
