"""Registration types with their nDelius codes (rules.md §1.2)."""

# (code, name, group, review period in weeks)
REGISTRATION_TYPES = [
    ("RVHR", "Very high RoSH", "ROSH", 26),
    ("RHRH", "High RoSH", "ROSH", 26),
    ("RMRH", "Medium RoSH", "ROSH", 26),
    ("RLRH", "Low RoSH", "ROSH", 26),
    ("MAPP", "MAPPA", "MAPPA", 26),
    ("ADVP", "Domestic abuse perpetrator", "DOMESTIC_ABUSE", 26),
    ("REG30", "Domestic abuse history", "DOMESTIC_ABUSE", 26),
    ("SPO", "Stalking", "STALKING", 26),
    ("RCPR", "Child protection", "CHILD", 26),
    ("RCCO", "Child concerns", "CHILD", 26),
    ("RCHD", "Risk to children", "CHILD", 26),
    ("RMDO", "Mental health issues", "COMPLEXITY", 26),
    ("ALSH", "Risk of self-harm or suicide", "COMPLEXITY", 13),
    ("RVLN", "Vulnerability", "COMPLEXITY", 26),
    ("RPIR", "Public interest", "COMPLEXITY", 26),
    ("RVAD", "Adult at risk", "COMPLEXITY", 26),
    ("STRG", "Street gangs", "COMPLEXITY", 26),
    ("RTAO", "Terrorism", "COMPLEXITY", 26),
    ("IIOM", "Integrated offender management", "IOM", 26),
    ("INLL", "Lifer or IPP", "LIFER", None),
    ("PRC", "Unsupervised (probation reset)", "SUPERVISION", None),
]
