"""Loading the demo cast (cast.py): users, staff memberships, patients and requesters.

Found by natural keys (username; name and date of birth; role, name and organization) with
get_or_create, so a second run creates nothing and overwrites nothing.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser

from ..models import Entity, Organization, Patient, Requester, StaffMembership
from ..rules.kinds import RequesterRole
from . import LoadReport
from .cast import (
    CLERKS,
    JAMES,
    JAMES_SEED,
    LINDA,
    LOGINS,
    MARIA,
    MARIA_SEED,
    PATIENTS,
    REQUESTERS,
    SUPERVISED_ORGS,
    SUPERVISOR,
    Login,
    PatientSeed,
)

STREETS = ("Oak", "Maple", "Mission", "Elm", "Vista")


def users_load(report: LoadReport) -> dict[str, AbstractUser]:
    """Create the demo logins and staff memberships; return the users by username."""
    users = {login.username: _user(login, report) for login in LOGINS}
    entities = {e.bates_prefix: e for e in Entity.objects.select_related("organization")}
    for login, prefix in CLERKS:
        entity = entities[prefix]
        _membership(users[login.username], entity.organization, [entity], report)
    for slug in SUPERVISED_ORGS:
        org = Organization.objects.get(slug=slug)
        _membership(
            users[SUPERVISOR.username],
            org,
            list(org.entities.all()),
            report,
            role=StaffMembership.Role.SUPERVISOR,
        )
    return users


def _user(login: Login, report: LoadReport) -> AbstractUser:
    user, created = get_user_model().objects.get_or_create(
        username=login.username,
        defaults={
            "first_name": login.first_name,
            "last_name": login.last_name,
            "email": f"{login.username}@example.com",
            "is_staff": login.is_staff,
            "is_superuser": login.is_superuser,
        },
    )
    report.count("users", created)
    # The printed password must work, so one changed since is put back. check_password costs
    # one Argon2 hash, like set_password, and with nine users that stays under two seconds.
    if created or not user.check_password(login.password):
        user.set_password(login.password)
        user.save(update_fields=["password"])
        report.count("passwords reset", not created)
    return user


def _membership(
    user: AbstractUser,
    org: Organization,
    entities: list[Entity],
    report: LoadReport,
    role: str = StaffMembership.Role.CLERK,
) -> None:
    membership, created = StaffMembership.objects.get_or_create(
        user=user, organization=org, defaults={"role": role}
    )
    report.count("staff memberships", created)
    if created:
        membership.entities.add(*entities)


def patients_load(users: dict[str, AbstractUser], report: LoadReport) -> dict[str, Patient]:
    """Create the demo patients; return them by full name. Matched on name and date of birth,
    the way HIM staff match records (never a Social Security number)."""
    accounts = {
        MARIA_SEED.full_name: users[MARIA.username],
        JAMES_SEED.full_name: users[JAMES.username],
    }
    patients = {}
    for i, seed in enumerate(PATIENTS):
        area = "617" if seed.region == "BOS" else "626"
        patient, created = Patient.objects.get_or_create(
            first_name=seed.first,
            last_name=seed.last,
            date_of_birth=seed.date_of_birth,
            defaults={
                "middle_name": seed.middle,
                "other_names": seed.other_names,
                "preferred_language": seed.language,
                "date_of_death": seed.date_of_death,
                "user": accounts.get(seed.full_name),
                # A third of the others gave an email: they may use the online form.
                "email": _email(seed) if seed.full_name in accounts or i % 3 == 0 else "",
                "phone": f"({area}) 555-{100 + i:04d}",
                "address": f"{1200 + 37 * i} {STREETS[i % len(STREETS)]} St\n{seed.city}",
            },
        )
        report.count("patients", created)
        patients[seed.full_name] = patient
    return patients


def _email(seed: PatientSeed) -> str:
    # An ASCII address: "María García" becomes maria.garcia, "O'Neill" oneill.
    name = f"{seed.first}.{seed.last}".lower().replace(" ", "").replace("'", "")
    for accented, plain in zip("áéíóúñ", "aeioun", strict=True):
        name = name.replace(accented, plain)
    return f"{name}@example.com"


def requesters_load(
    users: dict[str, AbstractUser], patients: dict[str, Patient], report: LoadReport
) -> dict[str, Requester]:
    """Create the requesters: one SELF requester per patient (keyed by the patient's full
    name) and the representatives, third parties and providers (keyed by their seed key)."""
    found: dict[str, Requester] = {}
    for name, patient in patients.items():
        found[name], created = Requester.objects.get_or_create(
            role=RequesterRole.SELF,
            full_name=name,
            organization_name="",
            defaults={
                "email": patient.email,
                "phone": patient.phone,
                "address": patient.address,
                "user": patient.user,
                "preferred_language": patient.preferred_language,
            },
        )
        report.count("requesters", created)
    for seed in REQUESTERS:
        found[seed.key], created = Requester.objects.get_or_create(
            role=seed.role,
            full_name=seed.full_name,
            organization_name=seed.organization,
            defaults={
                "third_party_type": seed.third_party_type,
                "representative_authority": seed.authority,
                "relationship": seed.relationship,
                "email": seed.email,
                "phone": seed.phone,
                "fax": seed.fax,
                "address": seed.address,
                "preferred_language": seed.language,
                "user": users[LINDA.username] if seed.key == "linda" else None,
            },
        )
        report.count("requesters", created)
    return found
