"""English date formats for an international office: day before month, months in words.

Django's own English formats are American ("Dec. 31, 2027", "12/31/2027"), which the network's
readers in Geneva, Nairobi or Vienna misread. Every other language keeps Django's own formats
(French: "31 décembre 2027", "31/12/2027"). Templates name a format (DATE_FORMAT,
SHORT_DATE_FORMAT), never a pattern of their own.
"""

DATE_FORMAT = "j F Y"  # 31 December 2027
SHORT_DATE_FORMAT = "j M Y"  # 31 Dec 2027
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
TIME_FORMAT = "H:i"
FIRST_DAY_OF_WEEK = 1  # Monday
