"""What each demo request asks for: the records, the recipient, the purpose, and the signed
authorization for directed copies and disclosures under authorization."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from ..models import Authorization, Channel, Entity, Requester
from ..rules.kinds import DeliveryMethod, RequesterRole, RequestKind
from ..selectors.calendar import entity_local_date
from . import scenarios as sc
from .cast import HAROLD_SEED, ISABELLA_SEED, SEEDS

if TYPE_CHECKING:
    from .generator import Context, Plan

K, D, R = RequestKind, DeliveryMethod, RequesterRole


def request_details(ctx: Context, plan: Plan, entity: Entity) -> None:
    """The rest of request_submit's arguments: records, recipient, purpose, authorization."""
    rng, req, kind, patient = ctx.rng, plan.requester, plan.kind, plan.patient
    received_on = entity_local_date(entity, plan.received_at)
    media = plan.delivery in (D.CD, D.USB)
    items = sc.items_for(rng, kind, received_on, media=media, third_party=req.third_party_type)
    f: dict[str, Any] = {
        "items": items,
        "estimated_pages": sc.pages_for(rng, items, kind),
        "language": req.preferred_language if req.role != R.THIRD_PARTY else "en",
    }
    if req.role == R.SELF and kind != K.DIRECTED:
        f["recipient_address"] = patient.address if plan.delivery == D.MAIL else ""
        f["recipient_email"] = patient.email if plan.delivery == D.SECURE_EMAIL else ""
    elif kind == K.DIRECTED:
        # Patients direct copies to their other doctors and to their lawyers.
        region = "BOS" if plan.target == "DFCI" else "LA"
        to = rng.choice(
            [
                seed
                for seed in SEEDS.values()
                if seed.region == region
                and (seed.role == R.PROVIDER or seed.third_party_type == "attorney")
            ]
        )
        f.update(
            recipient_name=f"{to.full_name}, {to.organization}",
            recipient_address=to.address,
            recipient_fax=to.fax,
            recipient_email=f"records@{to.key}.example" if plan.delivery == D.SECURE_EMAIL else "",
            purpose="At the request of the individual",
        )
    else:
        f.update(
            recipient_name=req.organization_name or req.full_name,
            recipient_address=req.address,
            recipient_fax=req.fax,
            recipient_email=req.email if plan.delivery == D.SECURE_EMAIL else "",
        )
    if kind == K.CONTINUITY:
        f["purpose"] = "Continuity of care"
    elif kind == K.AUTHORIZED:
        f["purpose"], f["benefit_appeal"] = _third_party_purpose(rng, req)
        if req.third_party_type in ("attorney", "insurer") and rng.random() < 0.12:
            f["sensitive_categories"] = [
                rng.choice(
                    ["substance_use", "hiv"] if entity.jurisdiction == "CA" else ["substance_use"]
                )
            ]
    elif kind == K.AMENDMENT:
        f["amendment_what_is_wrong"], f["amendment_should_say"] = rng.choice(sc.AMENDMENTS)
    if kind in (K.DIRECTED, K.AUTHORIZED):
        f["authorization"] = _authorization(ctx, plan, entity, f)
    plan.fields = f


def _third_party_purpose(rng: random.Random, req: Requester) -> tuple[str, bool]:
    if req.organization_name.startswith("California Employment"):
        return sc.EDD_PURPOSE, False
    if req.third_party_type == "agency" and rng.random() < 0.3:
        return sc.APPEAL_PURPOSE, True  # free in California (HSC 123110(d))
    return sc.THIRD_PARTY_ASKS[req.third_party_type][0], False


def _authorization(ctx: Context, plan: Plan, entity: Entity, f: dict[str, Any]) -> dict:
    """A signed authorization (164.508) or patient direction (164.524(c)(3)(ii)). One left
    pending for a missing element has exactly the defect the clerk's message names."""
    rng, ca = ctx.rng, entity.jurisdiction == "CA"
    signer = plan.requester if plan.requester.role != R.THIRD_PARTY else None
    if plan.patient.full_name == HAROLD_SEED.full_name:
        signer = ctx.requesters["susan"]  # the executor signs for the estate
    elif plan.patient.full_name == ISABELLA_SEED.full_name:
        signer = ctx.requesters["carmen"]
    electronic = plan.channel == Channel.PORTAL
    signed_at = plan.received_at - (
        timedelta(minutes=rng.randint(1, 20)) if electronic else timedelta(days=rng.randint(1, 12))
    )
    received_on = entity_local_date(entity, plan.received_at)
    auth = {
        "source": Authorization.Source.ELECTRONIC if electronic else Authorization.Source.SCANNED,
        "description": ", ".join(str(sc.RT(i.record_type).label) for i in f["items"]),
        "discloser": entity.organization.name if plan.target == "COH" else entity.name,
        "recipient_name": f.get("recipient_name", ""),
        "recipient_address": f.get("recipient_address", ""),
        "purpose": f.get("purpose", ""),
        "expiration_date": received_on + timedelta(days=365),
        "statement_revocation": True,
        "statement_conditioning": True,
        "statement_redisclosure": True,
        "statement_copy_right": True,
        "font_size_pt": 14,
        "specific_consents": list(f.get("sensitive_categories", [])),
        "signer_role": signer.role if signer else R.SELF,
        "representative_authority": signer.representative_authority if signer else "",
        "signature_name": signer.full_name if signer else plan.patient.full_name,
        "signed_at": signed_at,
        "signature_ip": f"203.0.113.{rng.randint(2, 254)}" if electronic else None,
        "signature_user_agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 18_5 like Mac OS X)"
        if electronic
        else "",
    }
    stays_pending = "pend" in plan.path and "resume" not in plan.path
    if stays_pending and plan.pend_key == "purpose":
        auth["purpose"] = ""
    elif stays_pending and plan.pend_key == "expiration":
        auth.update(expiration_date=None, expiration_event="End of the litigation")
    elif not ca and rng.random() < 0.3:
        auth.update(expiration_date=None, expiration_event="When my claim is closed")
    return auth
