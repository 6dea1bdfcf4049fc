"""Who is in the demo: the logins, the patients and the requesters.

Passwords are hashed with Argon2, which is deliberately slow, so only nine users exist; the
other patients and requesters have no login. Every person, firm, phone (555-01xx) and email
(example.com) is fictional; agencies are named by their public role only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..rules.kinds import RepresentativeAuthority, RequesterRole, ThirdPartyType

ADMIN_PASSWORD = "demo-admin-2026"
STAFF_PASSWORD = "demo-staff-2026"
PATIENT_PASSWORD = "demo-patient-2026"

R = RequesterRole
A = RepresentativeAuthority
T = ThirdPartyType


@dataclass(frozen=True)
class Login:
    username: str
    password: str
    first_name: str
    last_name: str
    role: str  # for the printed table
    is_staff: bool = False  # staff may sign in to the admin site (LOGIN_URL is admin:login)
    is_superuser: bool = False


def _clerk(prefix: str, first: str, last: str, label: str) -> tuple[Login, str]:
    username = f"clerk.{prefix.lower()}"
    return Login(username, STAFF_PASSWORD, first, last, f"HIM clerk, {label}", True), prefix


# (login, Bates prefix of the one entity the clerk works for)
CLERKS = (
    _clerk("COHNMC", "Ana", "Reyes", "City of Hope National Medical Center"),
    _clerk("COHMF", "David", "Park", "City of Hope Medical Foundation"),
    _clerk("KECK", "Tasha", "Brooks", "Keck Medicine of USC"),
    _clerk("DFCI", "Kevin", "Doherty", "Dana-Farber Cancer Institute"),
)
# fmt: off
SUPERVISOR = Login(
    "supervisor", STAFF_PASSWORD, "Patricia", "Nguyen",
    "HIM supervisor, City of Hope and Keck Medicine of USC", is_staff=True,
)
SUPERVISED_ORGS = ("city-of-hope", "keck-medicine-of-usc")
ADMIN = Login(
    "admin", ADMIN_PASSWORD, "Demo", "Administrator", "Superuser (Django admin)",
    is_staff=True, is_superuser=True,
)
MARIA = Login("maria.garcia", PATIENT_PASSWORD, "María", "García", "Patient, prefers Spanish")
JAMES = Login("james.chen", PATIENT_PASSWORD, "James", "Chen", "Patient")
LINDA = Login(
    "rep.linda", PATIENT_PASSWORD, "Linda", "Morales",
    "Personal representative (health care POA) of her father, Ernesto Morales",
)
LOGINS = (ADMIN, *(login for login, _prefix in CLERKS), SUPERVISOR, MARIA, JAMES, LINDA)
# fmt: on


@dataclass(frozen=True)
class PatientSeed:
    first: str
    middle: str
    last: str
    born: str  # ISO date
    region: str  # LA (City of Hope, Keck), BOS (Dana-Farber) or ALL
    language: str  # "es" or "en"
    other_names: str  # maiden or previous names
    city: str
    died: str = ""  # ISO date of death

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first, self.middle, self.last) if p)

    @property
    def date_of_birth(self) -> date:
        return date.fromisoformat(self.born)

    @property
    def date_of_death(self) -> date | None:
        return date.fromisoformat(self.died) if self.died else None


# fmt: off
P = PatientSeed
MARIA_SEED = P("María", "Elena", "García", "1968-03-14", "LA", "es", "María Elena López",
               "El Monte, CA 91731")
JAMES_SEED = P("James", "", "Chen", "1979-09-02", "ALL", "en", "", "Pasadena, CA 91101")
ERNESTO_SEED = P("Ernesto", "", "Morales", "1941-05-30", "LA", "es", "", "Whittier, CA 90601")
# Deceased: his records stay protected for 50 years; his executor and son ask for them.
HAROLD_SEED = P("Harold", "J.", "Whitaker", "1949-11-08", "LA", "en", "", "Glendale, CA 91208",
                died="2026-02-11")
ISABELLA_SEED = P("Isabella", "", "Moreno", "2013-06-19", "LA", "es", "", "Baldwin Park, CA 91706")
PATIENTS: tuple[PatientSeed, ...] = (
    MARIA_SEED, JAMES_SEED, ERNESTO_SEED, HAROLD_SEED, ISABELLA_SEED,
    P("Carlos", "", "Hernández", "1958-07-22", "LA", "es", "", "Monrovia, CA 91016"),
    P("Guadalupe", "", "Ramírez", "1972-12-03", "LA", "es", "Guadalupe Torres", "Azusa, CA 91702"),
    P("Sofía", "", "Navarro", "1990-04-27", "LA", "es", "", "Covina, CA 91723"),
    P("José", "Luis", "Castañeda", "1965-01-09", "LA", "es", "", "Corona, CA 92882"),
    P("Ana", "Lucía", "Fuentes", "1983-08-16", "LA", "es", "Ana Lucía Medina",
      "West Covina, CA 91790"),
    P("Rosa", "María", "Delgado", "1955-10-30", "LA", "es", "Rosa María Castillo",
      "South Pasadena, CA 91030"),
    P("Teresa", "", "Gutiérrez", "1961-02-14", "LA", "es", "Teresa Alvarado", "Duarte, CA 91010"),
    P("Luis", "", "Ortega", "1977-06-05", "LA", "es", "", "Pomona, CA 91766"),
    P("Robert", "", "Okafor", "1952-03-21", "LA", "en", "", "Altadena, CA 91001"),
    P("Emily", "Rose", "Thompson", "1986-09-11", "LA", "en", "Emily Rose Carter",
      "Glendale, CA 91206"),
    P("Michael", "", "Nguyen", "1970-05-02", "LA", "en", "", "Alhambra, CA 91801"),
    P("Aisha", "", "Rahman", "1994-01-25", "LA", "en", "", "Los Angeles, CA 90012"),
    P("Grace", "", "Kim", "1988-07-07", "LA", "en", "", "Arcadia, CA 91006"),
    P("Samuel", "", "Brooks", "1963-11-19", "LA", "en", "", "Upland, CA 91786"),
    P("Kevin", "", "Tran", "1999-03-03", "LA", "en", "", "Rosemead, CA 91770"),
    P("Priya", "", "Patel", "1981-12-28", "LA", "en", "", "Irvine, CA 92618"),
    P("Olivia", "", "Bennett", "1975-04-04", "LA", "en", "Olivia Hart", "Beverly Hills, CA 90210"),
    P("Patrick", "", "O'Neill", "1957-08-08", "BOS", "en", "", "Quincy, MA 02169"),
    P("Mary", "Catherine", "Sullivan", "1964-02-02", "BOS", "en", "Mary Catherine Doyle",
      "Dorchester, MA 02124"),
    P("Daniel", "", "Cohen", "1973-10-10", "BOS", "en", "", "Brookline, MA 02446"),
    P("Hannah", "", "Goldberg", "1991-05-15", "BOS", "en", "", "Newton, MA 02458"),
    P("Marcus", "", "Williams", "1968-09-29", "BOS", "en", "", "Roxbury, MA 02119"),
    P("Lucía", "", "Peña", "1986-01-31", "BOS", "es", "", "Jamaica Plain, MA 02130"),
    P("Thomas", "", "Kelly", "1950-12-12", "BOS", "en", "", "Braintree, MA 02184"),
)
# fmt: on


@dataclass(frozen=True)
class RequesterSeed:
    key: str
    role: str
    full_name: str
    organization: str = ""
    third_party_type: str = ""
    address: str = ""
    fax: str = ""
    authority: str = ""
    relationship: str = ""
    phone: str = ""
    email: str = ""
    language: str = "en"
    represents: str = ""  # full name of the patient a representative acts for

    @property
    def region(self) -> str:
        return "BOS" if ", MA " in self.address else "LA"


# fmt: off
def _rep(key: str, role: str, name: str, authority: str, relationship: str, address: str,
         phone: str, represents: PatientSeed | str, **extra: str) -> RequesterSeed:
    patient = represents if isinstance(represents, str) else represents.full_name
    return RequesterSeed(key, role, name, authority=authority, relationship=relationship,
                         address=address, phone=phone, represents=patient, **extra)


REPRESENTATIVES = (
    _rep("linda", R.REPRESENTATIVE, "Linda Morales", A.HEALTHCARE_POA, "Daughter",
         "318 Calle Serena\nWhittier, CA 90601", "(562) 555-0117", ERNESTO_SEED,
         email="linda.morales@example.com"),
    _rep("carmen", R.REPRESENTATIVE, "Carmen Moreno", A.PARENT_OF_MINOR, "Mother",
         "1420 Ramona Blvd\nBaldwin Park, CA 91706", "(626) 555-0163", ISABELLA_SEED,
         language="es"),
    _rep("miguel", R.REPRESENTATIVE, "Miguel Delgado", A.HEALTHCARE_POA, "Husband",
         "905 Fremont Ave\nSouth Pasadena, CA 91030", "(626) 555-0171", "Rosa María Delgado",
         language="es"),
    _rep("susan", R.EXECUTOR, "Susan Whitaker-Reyes", A.EXECUTOR,
         "Daughter, executor of the estate", "77 Kenneth Rd\nGlendale, CA 91202",
         "(818) 555-0128", HAROLD_SEED),
    _rep("thomas", R.NEXT_OF_KIN, "Thomas Whitaker", A.NEXT_OF_KIN, "Son",
         "2210 Honolulu Ave\nMontrose, CA 91020", "(818) 555-0139", HAROLD_SEED),
)
# Third parties and providers carry no email: they are answered by mail or fax.
# (key, type, contact, organization, address, fax); type "" is a treating provider.
ORGANIZATIONS = (
    ("stein", T.ATTORNEY, "Rachel Stein", "Stein & Okada LLP",
     "800 Wilshire Blvd, Suite 1400\nLos Angeles, CA 90017", "(213) 555-0145"),
    ("bell", T.ATTORNEY, "Marcus Bell", "Bell Injury Law Group",
     "155 N Lake Ave, Suite 600\nPasadena, CA 91101", "(626) 555-0151"),
    ("murphy", T.ATTORNEY, "Eileen Murphy", "Murphy & Castellano, P.C.",
     "One Federal Street, 20th Floor\nBoston, MA 02110", "(617) 555-0113"),
    ("golden", T.INSURER, "Claims Department", "Golden State Life & Disability Insurance",
     "PO Box 15020\nSacramento, CA 95851", "(916) 555-0177"),
    ("baycolony", T.INSURER, "Underwriting Medical Records", "Bay Colony Mutual Life",
     "PO Box 9210\nBoston, MA 02114", "(617) 555-0188"),
    ("ssa_ca", T.AGENCY, "Disability Examiner",
     "Social Security Administration, Disability Determination Services (CA)",
     "PO Box 24000\nOakland, CA 94623", "(510) 555-0190"),
    ("ssa_ma", T.AGENCY, "Disability Examiner", "Massachusetts Disability Determination Services",
     "PO Box 55090\nBoston, MA 02205", "(617) 555-0191"),
    ("edd", T.AGENCY, "State Disability Insurance", "California Employment Development Department",
     "PO Box 10402\nVan Nuys, CA 91410", "(818) 555-0192"),
    ("arroyo_hr", T.EMPLOYER, "Benefits Team", "Arroyo Logistics, Inc.",
     "4400 Rosemead Blvd\nPico Rivera, CA 90660", "(562) 555-0133"),
    ("school", T.SCHOOL, "Health Office", "San Gabriel Valley Charter School",
     "200 N Del Mar Ave\nSan Gabriel, CA 91775", "(626) 555-0176"),
    ("raman", "", "Dr. Priya Raman", "Arroyo Family Medicine",
     "1010 E Union St\nPasadena, CA 91106", "(626) 555-0187"),
    ("ortiz", "", "Dr. Lucía Ortiz", "Eastside Community Health Center",
     "3000 E Cesar Chavez Ave\nLos Angeles, CA 90063", "(323) 555-0121"),
    ("watanabe", "", "Dr. Kenji Watanabe", "Glendale Cardiology Group",
     "1500 N Verdugo Rd\nGlendale, CA 91208", "(818) 555-0156"),
    ("hospice", "", "Intake Nurse", "Valley Hospice Care",
     "700 S Myrtle Ave\nMonrovia, CA 91016", "(626) 555-0158"),
    ("weiss", "", "Dr. Alan Weiss", "Boston Primary Care Associates",
     "75 Francis Street\nBoston, MA 02115", "(617) 555-0166"),
)
# fmt: on
REQUESTERS: tuple[RequesterSeed, ...] = (
    *REPRESENTATIVES,
    *(
        RequesterSeed(key, R.THIRD_PARTY if kind else R.PROVIDER, name, org, kind, address, fax)
        for key, kind, name, org, address, fax in ORGANIZATIONS
    ),
)
SEEDS = {seed.key: seed for seed in REQUESTERS}
