"""Standard picklist values of a new org, shared by several objects.

The values are Salesforce's defaults for a fresh org; admins may change them per org.
Tables the DML layer needs (stage probabilities, closed statuses) live here too.
"""

from __future__ import annotations

from typing import NamedTuple

LEAD_SOURCE = ("Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other")

INDUSTRY = (
    "Agriculture",
    "Apparel",
    "Banking",
    "Biotechnology",
    "Chemicals",
    "Communications",
    "Construction",
    "Consulting",
    "Education",
    "Electronics",
    "Energy",
    "Engineering",
    "Entertainment",
    "Environmental",
    "Finance",
    "Food & Beverage",
    "Government",
    "Healthcare",
    "Hospitality",
    "Insurance",
    "Machinery",
    "Manufacturing",
    "Media",
    "Not For Profit",
    "Other",
    "Recreation",
    "Retail",
    "Shipping",
    "Technology",
    "Telecommunications",
    "Transportation",
    "Utilities",
)

RATING = ("Hot", "Warm", "Cold")

SALUTATION = ("Mr.", "Ms.", "Mrs.", "Dr.", "Prof.", "Mx.")

ACCOUNT_TYPE = (
    "Prospect",
    "Customer - Direct",
    "Customer - Channel",
    "Channel Partner / Reseller",
    "Installation Partner",
    "Technology Partner",
    "Other",
)

OWNERSHIP = ("Public", "Private", "Subsidiary", "Other")

GEOCODE_ACCURACY = (
    "Address",
    "NearAddress",
    "Block",
    "Street",
    "ExtendedZip",
    "Zip",
    "Neighborhood",
    "City",
    "County",
    "State",
    "Unknown",
)


class Stage(NamedTuple):
    """What an opportunity stage implies for Probability, ForecastCategoryName, IsClosed, IsWon."""

    probability: int
    forecast_category: str
    closed: bool
    won: bool


OPPORTUNITY_STAGES: dict[str, Stage] = {
    "Prospecting": Stage(10, "Pipeline", False, False),
    "Qualification": Stage(10, "Pipeline", False, False),
    "Needs Analysis": Stage(20, "Pipeline", False, False),
    "Value Proposition": Stage(50, "Pipeline", False, False),
    "Id. Decision Makers": Stage(60, "Pipeline", False, False),
    "Perception Analysis": Stage(70, "Pipeline", False, False),
    "Proposal/Price Quote": Stage(75, "Pipeline", False, False),
    "Negotiation/Review": Stage(90, "Pipeline", False, False),
    "Closed Won": Stage(100, "Closed", True, True),
    "Closed Lost": Stage(0, "Omitted", True, False),
}

FORECAST_CATEGORY_NAME = ("Omitted", "Pipeline", "Best Case", "Commit", "Closed")
FORECAST_CATEGORY = ("Omitted", "Pipeline", "BestCase", "Forecast", "Closed", "MostLikely")

LEAD_STATUS = (
    "Open - Not Contacted",
    "Working - Contacted",
    "Closed - Converted",
    "Closed - Not Converted",
)
CONVERTED_LEAD_STATUS = "Closed - Converted"

CASE_STATUS = ("New", "Working", "Escalated", "Closed")
CLOSED_CASE_STATUSES = frozenset({"Closed"})

TASK_STATUS = ("Not Started", "In Progress", "Completed", "Waiting on someone else", "Deferred")
CLOSED_TASK_STATUSES = frozenset({"Completed"})

# Each user picklist below is long in a real org; these are the common values, and the
# fields are left unrestricted so other valid keys are still accepted.
TIME_ZONES = (
    "Pacific/Honolulu",
    "America/Anchorage",
    "America/Los_Angeles",
    "America/Phoenix",
    "America/Denver",
    "America/Chicago",
    "America/New_York",
    "America/Sao_Paulo",
    "GMT",
    "Europe/London",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Helsinki",
    "Europe/Moscow",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Auckland",
)

LOCALES = (
    "en_US",
    "en_GB",
    "en_CA",
    "en_AU",
    "en_IN",
    "fr_FR",
    "fr_CA",
    "de_DE",
    "es_ES",
    "es_MX",
    "it_IT",
    "nl_NL",
    "pt_BR",
    "sv_SE",
    "ja_JP",
    "zh_CN",
    "ko_KR",
)

LANGUAGES = (
    "en_US",
    "en_GB",
    "de",
    "es",
    "es_MX",
    "fr",
    "it",
    "ja",
    "ko",
    "nl_NL",
    "pt_BR",
    "sv",
    "zh_CN",
    "zh_TW",
)

EMAIL_ENCODINGS = (
    "UTF-8",
    "ISO-8859-1",
    "Shift_JIS",
    "ISO-2022-JP",
    "EUC-JP",
    "ks_c_5601-1987",
    "Big5",
    "GB2312",
)

USER_TYPE = (
    "Standard",
    "PowerPartner",
    "PowerCustomerSuccess",
    "CustomerSuccess",
    "CsnOnly",
    "CspLitePortal",
    "Guest",
    "SelfService",
)
