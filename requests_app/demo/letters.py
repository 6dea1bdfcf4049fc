"""Default letter texts, in English and Spanish (co-equal, DOMAIN.md section 8).

Only the placeholders LetterText.body documents are used: {patient}, {number}, {due_date},
{reason}, {phone}, {entity}. Literal braces would break str.format, so there are none.
"""

from __future__ import annotations

from ..models import LetterText

K = LetterText.Kind

# (kind, language) -> (subject, body)
LETTERS: dict[tuple[str, str], tuple[str, str]] = {
    (K.COVER, "en"): (
        "Your medical records, request {number}",
        "Dear {patient},\n\n"
        "Enclosed are the records released under request {number}. Please review them and "
        "keep them in a safe place.\n\n"
        "{reason}\n\n"
        "If anything is missing or you have questions, call {phone}.\n\n"
        "Sincerely,\nRelease of Information, {entity}",
    ),
    (K.COVER, "es"): (
        "Su expediente médico, solicitud {number}",
        "Estimado/a {patient}:\n\n"
        "Adjuntamos los documentos entregados según la solicitud {number}. Revíselos y "
        "guárdelos en un lugar seguro.\n\n"
        "{reason}\n\n"
        "Si falta algo o tiene preguntas, llame al {phone}.\n\n"
        "Atentamente,\nEntrega de Información, {entity}",
    ),
    (K.DENIAL, "en"): (
        "Decision on your records request {number}",
        "Dear {patient},\n\n"
        "We cannot give you some or all of the records you asked for in request {number}. "
        "The reason is:\n\n{reason}\n\n"
        "You will receive every part of your record that is not listed above.\n\n"
        "Your rights: where the law allows it, you may ask that a licensed health "
        "professional who took no part in this decision review it. To ask for a review or "
        "to complain, write to the Privacy Officer of {entity} or call {phone}. You may also "
        "complain to the U.S. Department of Health and Human Services, Office for Civil "
        "Rights, at www.hhs.gov/ocr/complaints or 1-800-368-1019. You will not be treated "
        "differently for complaining.\n\n"
        "Sincerely,\nRelease of Information, {entity}",
    ),
    (K.DENIAL, "es"): (
        "Decisión sobre su solicitud de expediente {number}",
        "Estimado/a {patient}:\n\n"
        "No podemos entregarle parte o la totalidad de los documentos que pidió en la "
        "solicitud {number}. El motivo es:\n\n{reason}\n\n"
        "Recibirá todas las partes de su expediente que no se mencionan arriba.\n\n"
        "Sus derechos: cuando la ley lo permite, puede pedir que un profesional de la salud "
        "con licencia que no participó en esta decisión la revise. Para pedir una revisión o "
        "presentar una queja, escriba al Oficial de Privacidad de {entity} o llame al "
        "{phone}. También puede presentar una queja ante la Oficina de Derechos Civiles del "
        "Departamento de Salud y Servicios Humanos de EE. UU., en www.hhs.gov/ocr/complaints "
        "o al 1-800-368-1019. No recibirá un trato diferente por presentar una queja.\n\n"
        "Atentamente,\nEntrega de Información, {entity}",
    ),
    (K.EXTENSION, "en"): (
        "We need more time for request {number}",
        "Dear {patient},\n\n"
        "We are still working on request {number}, but we need more time. The reason:\n\n"
        "{reason}\n\n"
        "We will answer by {due_date}. The law allows one extension only, so this date will "
        "not move again. Questions? Call {phone}.\n\n"
        "Sincerely,\nRelease of Information, {entity}",
    ),
    (K.EXTENSION, "es"): (
        "Necesitamos más tiempo para la solicitud {number}",
        "Estimado/a {patient}:\n\n"
        "Seguimos trabajando en la solicitud {number}, pero necesitamos más tiempo. El "
        "motivo:\n\n{reason}\n\n"
        "Le responderemos a más tardar el {due_date}. La ley permite una sola prórroga, así "
        "que esta fecha no volverá a cambiar. ¿Preguntas? Llame al {phone}.\n\n"
        "Atentamente,\nEntrega de Información, {entity}",
    ),
    (K.PENDING, "en"): (
        "We need information to finish request {number}",
        "Dear {patient},\n\n"
        "To finish request {number}, we need the following from you:\n\n{reason}\n\n"
        "You can answer through the patient portal, by fax, by mail or in person. If you "
        "have questions, call {phone}.\n\n"
        "Sincerely,\nRelease of Information, {entity}",
    ),
    (K.PENDING, "es"): (
        "Necesitamos información para completar la solicitud {number}",
        "Estimado/a {patient}:\n\n"
        "Para completar la solicitud {number}, necesitamos lo siguiente:\n\n{reason}\n\n"
        "Puede responder por el portal del paciente, por fax, por correo o en persona. Si "
        "tiene preguntas, llame al {phone}.\n\n"
        "Atentamente,\nEntrega de Información, {entity}",
    ),
    (K.AMENDMENT_DENIAL, "en"): (
        "Decision on your request to amend your record, {number}",
        "Dear {patient},\n\n"
        "We reviewed your request {number} to change your medical record and will not make "
        "the change. The reason is:\n\n{reason}\n\n"
        "You may send us a written statement of disagreement; we will add it to your record "
        "and include it whenever we disclose the information in question. If you do not, you "
        "may ask that your request and this letter go with any future disclosure of it. To "
        "complain, contact the Privacy Officer of {entity} at {phone}, or the U.S. "
        "Department of Health and Human Services, Office for Civil Rights, at "
        "www.hhs.gov/ocr/complaints.\n\n"
        "Sincerely,\nHealth Information Management, {entity}",
    ),
    (K.AMENDMENT_DENIAL, "es"): (
        "Decisión sobre su solicitud para corregir su expediente, {number}",
        "Estimado/a {patient}:\n\n"
        "Revisamos su solicitud {number} para cambiar su expediente médico y no haremos el "
        "cambio. El motivo es:\n\n{reason}\n\n"
        "Puede enviarnos una declaración escrita de desacuerdo; la agregaremos a su "
        "expediente y la incluiremos cada vez que divulguemos esa información. Si no la "
        "envía, puede pedir que su solicitud y esta carta acompañen cualquier divulgación "
        "futura. Para presentar una queja, comuníquese con el Oficial de Privacidad de "
        "{entity} al {phone}, o con la Oficina de Derechos Civiles del Departamento de Salud "
        "y Servicios Humanos de EE. UU., en www.hhs.gov/ocr/complaints.\n\n"
        "Atentamente,\nAdministración de Información de Salud, {entity}",
    ),
    (K.AMENDMENT_ACCEPTED, "en"): (
        "Your record was amended, request {number}",
        "Dear {patient},\n\n"
        "We accepted your request {number} and amended your medical record:\n\n{reason}\n\n"
        "Tell us of anyone who should receive the correction, and we will send it to them. "
        "Questions? Call {phone}.\n\n"
        "Sincerely,\nHealth Information Management, {entity}",
    ),
    (K.AMENDMENT_ACCEPTED, "es"): (
        "Corregimos su expediente, solicitud {number}",
        "Estimado/a {patient}:\n\n"
        "Aceptamos su solicitud {number} y corregimos su expediente médico:\n\n{reason}\n\n"
        "Díganos a quién debemos enviar la corrección y se la enviaremos. ¿Preguntas? Llame "
        "al {phone}.\n\n"
        "Atentamente,\nAdministración de Información de Salud, {entity}",
    ),
    (K.ACCOUNTING, "en"): (
        "Accounting of disclosures, request {number}",
        "Dear {patient},\n\n"
        "Enclosed is the list of disclosures of your health information that the law asks "
        "us to account for (45 CFR 164.528), for up to six years before your request "
        "{number}. Each entry gives the date, who received the information, what was "
        "disclosed and why.\n\n"
        "{reason}\n\n"
        "Your first list in any 12 months is free. Questions? Call {phone}.\n\n"
        "Sincerely,\nHealth Information Management, {entity}",
    ),
    (K.ACCOUNTING, "es"): (
        "Lista de divulgaciones, solicitud {number}",
        "Estimado/a {patient}:\n\n"
        "Adjuntamos la lista de divulgaciones de su información de salud que la ley nos pide "
        "registrar (45 CFR 164.528), de hasta seis años antes de su solicitud {number}. "
        "Cada entrada indica la fecha, quién recibió la información, qué se divulgó y por "
        "qué.\n\n"
        "{reason}\n\n"
        "Su primera lista en 12 meses es gratuita. ¿Preguntas? Llame al {phone}.\n\n"
        "Atentamente,\nAdministración de Información de Salud, {entity}",
    ),
    (K.CLOSURE, "en"): (
        "We closed your request {number}",
        "Dear {patient},\n\n"
        "We have closed request {number} because we did not receive the information we "
        "asked you for.\n\n"
        "If you still want your records, send us what we asked for and we will reopen the "
        "request, or file a new request at any time. Questions? Call {phone}.\n\n"
        "Sincerely,\nRelease of Information, {entity}",
    ),
    (K.CLOSURE, "es"): (
        "Cerramos su solicitud {number}",
        "Estimado/a {patient}:\n\n"
        "Cerramos la solicitud {number} porque no recibimos la información que le pedimos.\n\n"
        "Si todavía quiere sus documentos, envíenos lo que le pedimos y volveremos a abrir la "
        "solicitud, o presente una nueva solicitud en cualquier momento. ¿Preguntas? Llame al "
        "{phone}.\n\n"
        "Atentamente,\nEntrega de Información, {entity}",
    ),
}


def letter_texts() -> list[tuple[str, str, str, str]]:
    """(kind, language, subject, body) for every LetterText kind, in English and Spanish."""
    missing = {(kind, lang) for kind in K.values for lang in ("en", "es")} - set(LETTERS)
    if missing:
        # A new letter kind in the model must get demo texts too.
        raise LookupError(f"No demo letter text for {sorted(missing)}")
    return [(kind, lang, subject, body) for (kind, lang), (subject, body) in LETTERS.items()]
