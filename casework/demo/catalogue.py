"""Made-up but realistic names, places and wording for the demo world. Data only.

Phone numbers use Ofcom's ranges reserved for drama (07700 900xxx, 0114 496 0xxx, ...), email
addresses use the reserved ``example`` domains, and street names are generic, so no generated
detail points at a real person.
"""

from __future__ import annotations

from typing import NamedTuple


class Town(NamedTuple):
    name: str
    postcode_area: str
    districts: tuple[int, int]


class PduPlace(NamedTuple):
    name: str
    towns: tuple[Town, ...]
    teams: tuple[str, ...] = ()
    crown_court: str = ""


class RegionPlace(NamedTuple):
    code: str
    name: str
    crn_letter: str
    phone_prefix: str
    prisons: tuple[str, ...]
    pdus: tuple[PduPlace, ...]


def _pdu(name: str, town: str, area: str, low: int, high: int, crown: str = "", teams=()) -> PduPlace:
    return PduPlace(name, (Town(town, area, (low, high)),), tuple(teams), crown)


# The 12 probation regions of England and Wales with their PDUs (names approximate; the demo
# scale uses the first region's first two PDUs and their hand-written team names).
REGIONS: tuple[RegionPlace, ...] = (
    RegionPlace("YH", "Yorkshire and the Humber", "D", "0114 496 0", (
        "HMP Doncaster", "HMP Leeds", "HMP Hull", "HMP Moorland", "HMP Lindholme", "HMP Wakefield",
        "HMP Full Sutton", "HMP Humber"), (
        PduPlace("Sheffield", (Town("Sheffield", "S", (1, 14)), Town("Sheffield", "S", (35, 36))),
                 ("Sheffield North", "Sheffield Central", "Sheffield South East"), "Sheffield Crown Court"),
        PduPlace("Barnsley and Rotherham", (Town("Barnsley", "S", (70, 75)), Town("Rotherham", "S", (60, 66))),
                 ("Barnsley", "Rotherham North", "Rotherham South"), "Sheffield Crown Court"),
        _pdu("Doncaster", "Doncaster", "DN", 1, 12, "Doncaster Crown Court"),
        _pdu("Leeds", "Leeds", "LS", 1, 29, "Leeds Crown Court"),
        _pdu("Bradford and Calderdale", "Bradford", "BD", 1, 22, "Bradford Crown Court"),
        _pdu("Kirklees", "Huddersfield", "HD", 1, 9, "Leeds Crown Court"),
        _pdu("Wakefield", "Wakefield", "WF", 1, 17, "Leeds Crown Court"),
        _pdu("Humber", "Hull", "HU", 1, 20, "Hull Crown Court"),
        _pdu("North Yorkshire", "York", "YO", 1, 62, "York Crown Court"),
    )),
    RegionPlace("NE", "North East", "E", "0191 498 0", (
        "HMP Durham", "HMP Holme House", "HMP Northumberland", "HMP Frankland", "HMP Low Newton"), (
        _pdu("Newcastle", "Newcastle upon Tyne", "NE", 1, 15, "Newcastle Crown Court"),
        _pdu("Gateshead and South Tyneside", "Gateshead", "NE", 8, 11, "Newcastle Crown Court"),
        _pdu("North Tyneside and Northumberland", "North Shields", "NE", 25, 30, "Newcastle Crown Court"),
        _pdu("Sunderland", "Sunderland", "SR", 1, 7, "Newcastle Crown Court"),
        _pdu("County Durham and Darlington", "Durham", "DH", 1, 9, "Durham Crown Court"),
        _pdu("Redcar, Cleveland and Middlesbrough", "Middlesbrough", "TS", 1, 14, "Teesside Crown Court"),
        _pdu("Stockton and Hartlepool", "Stockton-on-Tees", "TS", 17, 27, "Teesside Crown Court"),
    )),
    RegionPlace("NW", "North West", "F", "0151 496 0", (
        "HMP Liverpool", "HMP Altcourse", "HMP Kirkham", "HMP Preston", "HMP Haverigg", "HMP Styal"), (
        _pdu("Liverpool North", "Liverpool", "L", 4, 11, "Liverpool Crown Court"),
        _pdu("Liverpool South", "Liverpool", "L", 17, 25, "Liverpool Crown Court"),
        _pdu("Sefton", "Bootle", "L", 20, 23, "Liverpool Crown Court"),
        _pdu("Wirral", "Birkenhead", "CH", 41, 49, "Liverpool Crown Court"),
        _pdu("Knowsley and St Helens", "St Helens", "WA", 9, 11, "Liverpool Crown Court"),
        _pdu("Warrington and Halton", "Warrington", "WA", 1, 5, "Warrington Crown Court"),
        _pdu("Cheshire East", "Crewe", "CW", 1, 12, "Chester Crown Court"),
        _pdu("Cheshire West", "Chester", "CH", 1, 4, "Chester Crown Court"),
        _pdu("Central Lancashire", "Preston", "PR", 1, 9, "Preston Crown Court"),
        _pdu("East Lancashire", "Blackburn", "BB", 1, 12, "Burnley Crown Court"),
        _pdu("North West Lancashire", "Blackpool", "FY", 1, 8, "Preston Crown Court"),
        _pdu("Cumbria", "Carlisle", "CA", 1, 28, "Carlisle Crown Court"),
    )),
    RegionPlace("GM", "Greater Manchester", "G", "0161 496 0", (
        "HMP Manchester", "HMP Forest Bank", "HMP Risley", "HMP Buckley Hall", "HMP Styal"), (
        _pdu("Manchester North", "Manchester", "M", 8, 11, "Manchester Crown Court"),
        _pdu("Manchester South", "Manchester", "M", 13, 23, "Manchester Crown Court"),
        _pdu("Bolton", "Bolton", "BL", 1, 7, "Bolton Crown Court"),
        _pdu("Bury and Rochdale", "Rochdale", "OL", 11, 16, "Minshull Street Crown Court"),
        _pdu("Oldham", "Oldham", "OL", 1, 9, "Minshull Street Crown Court"),
        _pdu("Salford", "Salford", "M", 5, 7, "Manchester Crown Court"),
        _pdu("Stockport and Trafford", "Stockport", "SK", 1, 8, "Minshull Street Crown Court"),
        _pdu("Tameside", "Ashton-under-Lyne", "OL", 6, 7, "Minshull Street Crown Court"),
        _pdu("Wigan", "Wigan", "WN", 1, 8, "Bolton Crown Court"),
    )),
    RegionPlace("EM", "East Midlands", "H", "0115 496 0", (
        "HMP Nottingham", "HMP Lowdham Grange", "HMP Leicester", "HMP Lincoln", "HMP Foston Hall"), (
        _pdu("Nottingham City", "Nottingham", "NG", 1, 11, "Nottingham Crown Court"),
        _pdu("Nottinghamshire", "Mansfield", "NG", 17, 22, "Nottingham Crown Court"),
        _pdu("Derby City", "Derby", "DE", 1, 24, "Derby Crown Court"),
        _pdu("Derbyshire", "Chesterfield", "S", 40, 45, "Derby Crown Court"),
        _pdu("Leicester", "Leicester", "LE", 1, 5, "Leicester Crown Court"),
        _pdu("Leicestershire and Rutland", "Loughborough", "LE", 11, 12, "Leicester Crown Court"),
        _pdu("Lincolnshire East", "Boston", "PE", 21, 25, "Lincoln Crown Court"),
        _pdu("Lincolnshire West", "Lincoln", "LN", 1, 6, "Lincoln Crown Court"),
        _pdu("Northamptonshire", "Northampton", "NN", 1, 7, "Northampton Crown Court"),
    )),
    RegionPlace("WM", "West Midlands", "J", "0121 496 0", (
        "HMP Birmingham", "HMP Oakwood", "HMP Featherstone", "HMP Hewell", "HMP Drake Hall"), (
        _pdu("Birmingham Central and South", "Birmingham", "B", 1, 31, "Birmingham Crown Court"),
        _pdu("Birmingham North, East and Solihull", "Birmingham", "B", 33, 44, "Birmingham Crown Court"),
        _pdu("Coventry", "Coventry", "CV", 1, 6, "Coventry Crown Court"),
        _pdu("Dudley and Sandwell", "West Bromwich", "B", 70, 71, "Wolverhampton Crown Court"),
        _pdu("Walsall and Wolverhampton", "Wolverhampton", "WV", 1, 14, "Wolverhampton Crown Court"),
        _pdu("Staffordshire and Stoke-on-Trent", "Stoke-on-Trent", "ST", 1, 12, "Stoke-on-Trent Crown Court"),
        _pdu("Warwickshire", "Nuneaton", "CV", 10, 11, "Warwick Crown Court"),
        _pdu("Worcestershire", "Worcester", "WR", 1, 5, "Worcester Crown Court"),
        _pdu("Shropshire and Telford", "Telford", "TF", 1, 7, "Shrewsbury Crown Court"),
    )),
    RegionPlace("EA", "East of England", "K", "01632 960", (
        "HMP Norwich", "HMP Chelmsford", "HMP Bedford", "HMP Peterborough", "HMP The Mount"), (
        _pdu("Bedfordshire", "Luton", "LU", 1, 4, "Luton Crown Court"),
        _pdu("Cambridgeshire", "Cambridge", "CB", 1, 5, "Cambridge Crown Court"),
        _pdu("Peterborough", "Peterborough", "PE", 1, 7, "Peterborough Crown Court"),
        _pdu("Essex North", "Colchester", "CO", 1, 7, "Chelmsford Crown Court"),
        _pdu("Essex South", "Southend-on-Sea", "SS", 0, 9, "Basildon Crown Court"),
        _pdu("Hertfordshire", "Stevenage", "SG", 1, 2, "St Albans Crown Court"),
        _pdu("Norfolk", "Norwich", "NR", 1, 7, "Norwich Crown Court"),
        _pdu("Suffolk", "Ipswich", "IP", 1, 5, "Ipswich Crown Court"),
    )),
    RegionPlace("WA", "Wales", "C", "029 2018 0", (
        "HMP Cardiff", "HMP Parc", "HMP Swansea", "HMP Berwyn", "HMP Prescoed"), (
        _pdu("Cardiff and the Vale", "Cardiff", "CF", 3, 24, "Cardiff Crown Court"),
        _pdu("Cwm Taf Morgannwg", "Merthyr Tydfil", "CF", 47, 48, "Merthyr Tydfil Crown Court"),
        _pdu("Gwent", "Newport", "NP", 10, 20, "Newport Crown Court"),
        _pdu("Swansea, Neath and Port Talbot", "Swansea", "SA", 1, 7, "Swansea Crown Court"),
        _pdu("Dyfed-Powys", "Carmarthen", "SA", 31, 33, "Swansea Crown Court"),
        _pdu("North Wales", "Wrexham", "LL", 11, 14, "Mold Crown Court"),
    )),
    RegionPlace("SW", "South West", "L", "0117 496 0", (
        "HMP Bristol", "HMP Exeter", "HMP Channings Wood", "HMP Dartmoor", "HMP Eastwood Park"), (
        _pdu("Bristol and South Gloucestershire", "Bristol", "BS", 1, 16, "Bristol Crown Court"),
        _pdu("Bath and North Somerset", "Bath", "BA", 1, 2, "Bristol Crown Court"),
        _pdu("Devon and Torbay", "Exeter", "EX", 1, 4, "Exeter Crown Court"),
        _pdu("Plymouth", "Plymouth", "PL", 1, 9, "Plymouth Crown Court"),
        _pdu("Cornwall and the Isles of Scilly", "Truro", "TR", 1, 4, "Truro Crown Court"),
        _pdu("Dorset", "Bournemouth", "BH", 1, 11, "Bournemouth Crown Court"),
        _pdu("Gloucestershire", "Gloucester", "GL", 1, 4, "Gloucester Crown Court"),
        _pdu("Somerset", "Taunton", "TA", 1, 2, "Taunton Crown Court"),
        _pdu("Wiltshire", "Swindon", "SN", 1, 5, "Swindon Crown Court"),
    )),
    RegionPlace("SC", "South Central", "M", "0118 496 0", (
        "HMP Winchester", "HMP Bullingdon", "HMP Reading", "HMP Isle of Wight", "HMP Send"), (
        _pdu("Southampton, Eastleigh and New Forest", "Southampton", "SO", 14, 19, "Southampton Crown Court"),
        _pdu("Portsmouth", "Portsmouth", "PO", 1, 6, "Portsmouth Crown Court"),
        _pdu("North and East Hampshire", "Basingstoke", "RG", 21, 24, "Winchester Crown Court"),
        _pdu("Isle of Wight", "Newport", "PO", 30, 30, "Newport (Isle of Wight) Crown Court"),
        _pdu("Oxfordshire", "Oxford", "OX", 1, 4, "Oxford Crown Court"),
        _pdu("Buckinghamshire and Milton Keynes", "Milton Keynes", "MK", 1, 15, "Aylesbury Crown Court"),
        _pdu("West Berkshire", "Reading", "RG", 1, 6, "Reading Crown Court"),
        _pdu("East Berkshire", "Slough", "SL", 1, 3, "Reading Crown Court"),
    )),
    RegionPlace("KS", "Kent, Surrey and Sussex", "N", "01632 960", (
        "HMP Elmley", "HMP Swaleside", "HMP Lewes", "HMP Ford", "HMP High Down", "HMP Downview"), (
        _pdu("East Kent", "Canterbury", "CT", 1, 6, "Canterbury Crown Court"),
        _pdu("North Kent", "Chatham", "ME", 4, 8, "Maidstone Crown Court"),
        _pdu("West Kent", "Maidstone", "ME", 14, 20, "Maidstone Crown Court"),
        _pdu("Surrey", "Guildford", "GU", 1, 5, "Guildford Crown Court"),
        _pdu("Brighton and East Sussex", "Brighton", "BN", 1, 3, "Lewes Crown Court"),
        _pdu("West Sussex", "Crawley", "RH", 10, 11, "Chichester Crown Court"),
    )),
    RegionPlace("LN", "London", "X", "020 7946 0", (
        "HMP Pentonville", "HMP Wandsworth", "HMP Thameside", "HMP Brixton", "HMP Bronzefield"), (
        _pdu("Barking, Dagenham and Havering", "Romford", "RM", 1, 10, "Snaresbrook Crown Court"),
        _pdu("Barnet, Enfield and Haringey", "London", "N", 9, 22, "Wood Green Crown Court"),
        _pdu("Brent", "London", "NW", 2, 10, "Harrow Crown Court"),
        _pdu("Camden and Islington", "London", "N", 1, 7, "Blackfriars Crown Court"),
        _pdu("Croydon", "Croydon", "CR", 0, 8, "Croydon Crown Court"),
        _pdu("Ealing and Hillingdon", "London", "W", 5, 13, "Isleworth Crown Court"),
        _pdu("Greenwich and Bexley", "London", "SE", 2, 18, "Woolwich Crown Court"),
        _pdu("Hackney and City", "London", "E", 5, 9, "Snaresbrook Crown Court"),
        _pdu("Lambeth", "London", "SW", 2, 9, "Inner London Crown Court"),
        _pdu("Lewisham and Bromley", "London", "SE", 4, 13, "Inner London Crown Court"),
        _pdu("Newham", "London", "E", 6, 16, "Snaresbrook Crown Court"),
        _pdu("Southwark", "London", "SE", 1, 22, "Inner London Crown Court"),
        _pdu("Tower Hamlets", "London", "E", 1, 14, "Snaresbrook Crown Court"),
        _pdu("Wandsworth, Merton, Kingston and Richmond", "London", "SW", 15, 20, "Kingston Crown Court"),
    )),
)

TEAM_SUFFIXES = ("North", "South", "East", "West", "Central", "Courts", "Resettlement", "City")

WOMENS_PRISONS = ("HMP New Hall", "HMP Askham Grange", "HMP Styal", "HMP Low Newton", "HMP Eastwood Park",
                  "HMP Bronzefield", "HMP Foston Hall", "HMP Drake Hall", "HMP Downview", "HMP Send")

MOBILE_PREFIX = "07700 900"  # Ofcom drama range 07700 900000–900999

MALE_FIRST_NAMES = (
    "Jack", "James", "Thomas", "Daniel", "Ryan", "Liam", "Connor", "Jordan", "Lewis", "Callum", "Kyle",
    "Jamie", "Nathan", "Adam", "Michael", "David", "Paul", "Mark", "Andrew", "Craig", "Lee", "Dean", "Wayne",
    "Darren", "Gary", "Stephen", "Christopher", "Matthew", "Joshua", "Luke", "Bradley", "Reece", "Kieran",
    "Shane", "Scott", "Carl", "Anthony", "Robert", "John", "Peter", "Ian", "Neil", "Martin", "Steven",
    "Jason", "Richard", "Simon", "Kevin", "Brian", "Sean", "Aaron", "Tyler", "Harvey", "Mason", "Alfie",
    "Charlie", "George", "Harry", "Oliver", "William", "Mohammed", "Ahmed", "Imran", "Bilal", "Hamza",
    "Zain", "Arjun", "Ravi", "Sandeep", "Tomasz", "Piotr", "Marius", "Andrei", "Kwame", "Tunde", "Delroy",
    "Leon", "Marcus", "Jermaine", "Kofi", "Emeka", "Dylan", "Rhys", "Gareth", "Owen", "Declan", "Ciaran",
    "Euan", "Fraser",
)

FEMALE_FIRST_NAMES = (
    "Sarah", "Emma", "Laura", "Rebecca", "Amy", "Gemma", "Kirsty", "Leanne", "Stacey", "Michelle", "Claire",
    "Lisa", "Nicola", "Donna", "Joanne", "Kelly", "Hayley", "Chloe", "Jade", "Shannon", "Courtney", "Megan",
    "Jessica", "Lauren", "Danielle", "Natalie", "Samantha", "Charlotte", "Sophie", "Hannah", "Amber", "Tracey",
    "Julie", "Karen", "Susan", "Helen", "Rachel", "Victoria", "Zoe", "Emily", "Aisha", "Fatima", "Amina",
    "Priya", "Sana", "Nadia", "Agnieszka", "Katarzyna", "Chantelle", "Shanice", "Grace", "Precious", "Siobhan",
    "Niamh", "Caitlin", "Eilidh", "Bethan", "Ffion", "Carys", "Lucy",
)

SURNAMES = (
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Robinson", "Wright",
    "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood", "Jackson", "Clarke", "Patel",
    "Khan", "Lewis", "James", "Phillips", "Mason", "Mitchell", "Rose", "Davis", "Rodriguez", "Cox", "Alexander",
    "Cooper", "Hill", "Ward", "Hughes", "Turner", "Edwards", "Moore", "Harris", "Martin", "Thomas", "Baker",
    "Harrison", "Morris", "Parker", "Cook", "Bennett", "Shaw", "Holmes", "Lee", "Kelly", "Murphy", "Walsh",
    "O'Brien", "O'Neill", "Doyle", "Byrne", "McDonald", "Campbell", "Stewart", "Scott", "Reid", "Murray",
    "Fraser", "Hussain", "Ali", "Ahmed", "Akhtar", "Mahmood", "Iqbal", "Singh", "Sharma",
    "Mistry", "Chauhan", "Nowak", "Kowalski", "Wiśniewski", "Popescu", "Okafor", "Adeyemi", "Mensah",
    "Campbell-Brown", "Francis", "Grant", "Barnes", "Henry", "Chapman", "Ellis", "Webb", "Marshall",
    "Atkinson", "Fletcher", "Dixon", "Hunt", "Palmer", "Mills", "Barker", "Lloyd", "Powell", "Price",
    "Griffiths", "Morgan", "Owen", "Rees", "Jenkins", "Pritchard", "Hopkins", "Bailey", "Bell", "Richardson",
    "Watson", "Brooks", "Gray", "Wells", "Knight", "Pearson", "Kennedy", "Burns", "Foster", "Gibson",
    "Spencer", "Stevens", "Lawrence", "Hudson", "Dawson", "Lambert", "Sutcliffe", "Haigh", "Hirst", "Ramsden",
    "Shepherd", "Firth", "Hardcastle", "Crossley", "Booth", "Ackroyd", "Priestley", "Whiteley", "Hepworth",
)

# Surnames only women carry (Sikh and Bangladeshi naming customs).
WOMENS_SURNAMES = ("Kaur", "Begum")

STREET_NAMES = (
    "Victoria", "Albert", "Station", "Church", "Park", "Mill", "Queen", "King", "Manor", "Meadow", "Springfield",
    "Highfield", "Oakwood", "Ashfield", "Beech", "Elm", "Cedar", "Willow", "Chestnut", "Hawthorn", "Holly",
    "Rowan", "Forge", "Market", "Bridge", "Canal", "Colliery", "Foundry", "Chapel", "School", "Vicarage",
    "Orchard", "Moor", "Brook", "Valley", "Hillside", "Crown", "Windsor", "Stanley", "Grange", "Cemetery",
    "Railway", "Wharf", "Prospect", "Shaw", "Ridge", "Green", "Fir", "Poplar", "Sycamore",
)
STREET_KINDS = ("Road", "Street", "Avenue", "Close", "Lane", "Drive", "Way", "Crescent", "Grove", "Terrace",
                "Court", "Walk", "View", "Rise")
FLAT_PREFIXES = ("Flat 1", "Flat 2", "Flat 3", "Flat 4", "Flat 5", "Flat 6", "Flat 7", "Flat 8")
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXY"

ADDRESS_KINDS = (("Family home", 30), ("Private rented", 28), ("Social housing", 22), ("Owner occupied", 8),
                 ("Supported housing", 6), ("Hostel", 3), ("Living with friends (temporary)", 3))

ACQUISITIVE_OFFENCES = frozenset({"02800", "03000", "04600", "04900", "04800", "03400", "05300"})

# Main offence codes by RoSH level for people without a sexual or domestic abuse profile,
# weighted roughly as probation caseloads are (shop theft and drugs dominate low risk).
OFFENCES_BY_ROSH = {
    "LOW": (("04600", 18), ("09201", 8), ("09202", 8), ("80300", 10), ("80700", 8), ("05300", 6),
            ("05800", 6), ("11100", 4), ("04800", 4), ("03000", 5), ("00832", 4), ("10501", 6)),
    "MEDIUM": (("10501", 14), ("00801", 12), ("02800", 10), ("08100", 9), ("06600", 7), ("06700", 7),
               ("10400", 7), ("04900", 5), ("09200", 10), ("80400", 5), ("04600", 8), ("00832", 4)),
    "HIGH": (("00500", 20), ("03400", 18), ("00801", 14), ("09200", 14), ("05600", 6), ("10300", 6),
             ("08100", 10), ("02800", 8)),
    "VERY_HIGH": (("00500", 35), ("03400", 20), ("10300", 20), ("05600", 15), ("00101", 10)),
}
DOMESTIC_OFFENCES = (("00802", 35), ("00803", 20), ("10501", 20), ("00809", 10), ("00811", 10), ("00500", 5))
SEXUAL_OFFENCES_BY_ROSH = {
    "LOW": (("08600", 60), ("11200", 30), ("08802", 10)),
    "MEDIUM": (("08600", 45), ("02000", 25), ("08802", 20), ("11200", 10)),
    "HIGH": (("02000", 40), ("01901", 35), ("08802", 15), ("08600", 10)),
    "VERY_HIGH": (("01901", 70), ("02000", 30)),
}
CHILD_VICTIM_OFFENCES = frozenset({"08600", "08802"})

PREVIOUS_TERMINATIONS = (
    "Completed", "Completed", "Completed", "Licence expired", "Ended early for good progress",
    "Revoked and re-sentenced following breach", "Revoked following a further offence",
)

PROGRAMMES = {
    "domestic": ("Building Better Relationships", 24),
    "sexual": ("Horizon", 31),
    "violent": ("Kaizen", 47),
    "general": ("Thinking Skills Programme", 19),
}

STANDARD_LICENCE_CONDITIONS = (
    "Be of good behaviour and not behave in a way which undermines the purpose of the licence period",
    "Not commit any offence",
    "Keep in touch with the supervising officer in accordance with instructions given",
    "Receive visits from the supervising officer in accordance with instructions given",
    "Reside permanently at an address approved by the supervising officer",
    "Not undertake work, or a particular type of work, unless approved by the supervising officer",
    "Not travel outside the United Kingdom, the Channel Islands or the Isle of Man without permission",
    "Tell the supervising officer if you use a name which is different to the name on this licence",
)
PSS_REQUIREMENTS = (
    "Be of good behaviour and not behave in a way which undermines the rehabilitative purpose of the "
    "supervision period",
    "Keep in touch with the supervisor in accordance with instructions given",
    "Reside permanently at an address approved by the supervisor",
)
ADDITIONAL_CONDITIONS = {
    "approved_premises": "Reside at approved premises as directed and comply with its rules",
    "no_contact": "Not to contact or associate with the victim directly or indirectly without approval",
    "exclusion": "Not to enter the exclusion zone marked on the attached map without approval",
    "curfew": "Comply with an electronically monitored curfew at your approved address, 19:00 to 07:00",
    "relationships": "Notify your supervising officer of any developing intimate relationships",
    "children": "Not to have unsupervised contact with any child under 18 without prior approval",
    "polygraph": "Comply with any instruction to attend a polygraph session",
    "internet": "Not to use any internet-enabled device without declaring it to your supervising officer",
    "drug_testing": "Attend drug testing and appointments with the drug treatment service as directed",
    "mental_health": "Attend all appointments arranged for you with a psychiatrist or psychologist",
    "alcohol_tag": "Comply with alcohol monitoring and not consume alcohol",
    "work_programme": "Comply with requirements to address your offending behaviour as directed",
}

REGISTRATION_NOTES = {
    "ADVP": "Police domestic abuse callout history confirmed; partner safety checks in place.",
    "REG30": "History of domestic abuse in previous relationships, per police checks.",
    "RCPR": "Children subject to child protection plans; liaison with children's services.",
    "RCCO": "Children's services involvement with the family; concerns being monitored.",
    "RCHD": "Assessed as posing a risk to children.",
    "RMDO": "Diagnosed mental health condition; engaged with community mental health team.",
    "ALSH": "History of self-harm; ACCT opened in custody previously.",
    "RVLN": "Vulnerable to exploitation by associates.",
    "RVAD": "Adult at risk; adult social care involved.",
    "STRG": "Intelligence indicates association with an organised street gang.",
    "RPIR": "Case of public interest; media coverage at sentence.",
    "RTAO": "Terrorism-risk offender; counter-terrorism policing involved.",
    "IIOM": "Managed under the local integrated offender management scheme.",
    "INLL": "Life or IPP licence; release on Parole Board direction.",
    "SPO": "Stalking protection order in place.",
}

_APPOINTMENT_NOTES = (
    "Reported as instructed. Discussed progress on sentence plan objectives.",
    "Attended on time. Reviewed accommodation; tenancy remains stable.",
    "Discussed employment; has applied for warehouse work through the job centre.",
    "Completed structured session on consequential thinking.",
    "Reviewed {terms} and reminded of the duty to keep in touch.",
    "Discussed relationships and support network. No new concerns identified.",
    "Attended with a support worker. Discussed managing debt and budgeting.",
    "Reported reduced drug use; next drug test booked.",
    "Discussed alcohol use and triggers; agreed to attend the recovery group.",
    "Worked through a victim-awareness exercise. Engaged well.",
    "Reviewed risk management plan; no change to RoSH.",
    "Discussed a recent argument with a neighbour; de-escalation strategies explored.",
)
# Appointment notes by the current sentence's status: each says what the person is under (a
# community order has requirements, a licence conditions, post-sentence supervision its own
# requirements). The lists are the same length, so the same draw picks the same note.
_TERMS = {
    "COMMUNITY": "the requirements of the order",
    "PRE_RELEASE": "the licence conditions",
    "LICENCE": "the licence conditions",
    "POST_SENTENCE_SUPERVISION": "the post-sentence supervision requirements",
}
APPOINTMENT_NOTES = {status: tuple(note.format(terms=terms) for note in _APPOINTMENT_NOTES)
                     for status, terms in _TERMS.items()}
HOME_VISIT_NOTES = (
    "Home visit completed; address suitable and consistent with information given.",
    "Home visit: partner present. No concerns observed about the home environment.",
    "Home visit: no answer at the first attempt; seen later the same day at the address.",
    "Home visit with police IOM officer; accommodation checked.",
)
PHONE_NOTES = (
    "Telephone contact: confirmed attendance at the next appointment.",
    "Phone call: updated on job interview; went well.",
    "Phone call to check welfare following a bereavement in the family.",
)
THIRD_PARTY_NOTES = (
    "Police domestic abuse callout check completed: no new callouts.",
    "Children's services contacted for a safeguarding update.",
    "Spoke to the GP surgery about a medication review.",
    "Housing officer confirmed the tenancy is in place.",
    "Rehabilitative services provider confirmed attendance and progress.",
    "Job centre work coach confirmed attendance at a training course.",
    "Drug and alcohol service confirmed attendance at key work sessions.",
    "Police IOM officer shared intelligence update; no concerns.",
)
SENSITIVE_NOTES = (
    "Sensitive: information from children's services about a child protection conference.",
    "Sensitive: health information shared by the community mental health team.",
    "Sensitive: victim liaison officer update about the victim's concerns.",
    "Sensitive: police intelligence shared under information-sharing agreement.",
)
PRISON_LIAISON_NOTES = (
    "Contact with the prison offender manager about sentence progress.",
    "Prison offender manager confirmed the release plan and the licence address.",
    "Sentence plan review in custody attended by video with the prison offender manager.",
)
CASE_NOTES = (
    "Case reviewed. Sentence plan updated.",
    "OASys review started following change in circumstances.",
    "Letter sent confirming appointment times for the next month.",
    "Update received from the court about a forthcoming hearing.",
    "Referral made to the accommodation service.",
    "Referral made to Commissioned Rehabilitative Services (personal wellbeing).",
)
CUSTODY_NOTES = (
    "Video call with the person in custody to plan for release.",
    "Prison offender manager update: engaging with education; no adjudications.",
    "Pre-release planning: accommodation referral submitted.",
    "Pre-release risk management plan drafted.",
)
OVERSIGHT_NOTES = (
    "Management oversight: risk management plan reviewed and agreed.",
    "Management oversight: discussed enforcement options after missed appointments.",
    "Management oversight: case discussed in supervision; actions agreed.",
)
REMINDER_NOTE = "Appointment reminder sent by text message."
UNACCEPTABLE_NOTES = (
    "Failed to attend. No contact made to explain absence. Warning letter to be issued.",
    "Did not attend; phone switched off. Absence treated as unacceptable.",
)
ACCEPTABLE_NOTES = {
    "MEDICAL": "Absence accepted: fit note provided by GP.",
    "EMPLOYMENT": "Absence accepted: evidence of a work shift provided.",
    "FAMILY": "Absence accepted: family emergency, verified.",
    "COURT": "Absence accepted: attending court as a witness.",
    "HOLIDAY": "Absence accepted: pre-arranged holiday approved.",
    "RELIGIOUS": "Absence accepted: religious observance.",
    "PROFESSIONAL_JUDGEMENT": "Absence accepted on professional judgement; circumstances explained.",
}
FAILED_NOTES = (
    "Attended but was abusive to reception staff; session ended early.",
    "Attended under the influence of alcohol; unable to engage.",
)
UPW_PROJECTS = ("Community Payback: park clearance", "Community Payback: charity shop",
                "Community Payback: canal towpath restoration", "Community Payback: community garden",
                "Community Payback: graffiti removal")

RESTRICTION_REASONS = (
    "Person is a relative of a member of staff in the region",
    "High-profile case: access restricted by the head of PDU",
    "Person was previously employed by the Probation Service",
)
EXCLUSION_REASONS = (
    "Staff member lives on the same street as the person",
    "Staff member has a family connection with the victim",
    "Staff member knew the person at school",
)
