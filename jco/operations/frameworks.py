"""The frameworks an operation runs under: the ``type=`` codes of ``jco/data/SOURCES.md``.

Only CCWP operations — EU joint customs operations and the ASEM operations OLAF coordinates, and
every operation created in the tracker — go through the working party's life cycle (business
case, comments, adoption, final report). The others (WCO, Interpol, Europol or Frontex
operations…) matter to the same experts and are kept as *related operations*: their framework,
lead body, dates and published results, with no life cycle. Pure: no Flask, no database.
"""

from __future__ import annotations

from jco.core.text import N_

CCWP_JCO = "EU_JCO"
# What an operation created in the tracker, or a file row that names no framework, runs under.
DEFAULT_FRAMEWORK = CCWP_JCO
CCWP_FRAMEWORKS = ("EU_JCO", "ASEM_JCO")

FRAMEWORKS: dict[str, str] = {
    "EU_JCO": N_("EU joint customs operation (CCWP)"),
    "ASEM_JCO": N_("ASEM joint customs operation (CCWP, coordinated by OLAF)"),
    "JBCO": N_("EUBAM joint border control operation"),
    "FRONTEX_JAD": N_("Frontex-led Joint Action Day"),
    "CELBET_JCA": N_("Joint CELBET Activity"),
    "EUROPOL_OP": N_("Europol-led operation"),
    "WCO_OP": N_("WCO global operation"),
    "INTERPOL_OP": N_("Interpol-led operation"),
    "UNODC_WCO_CCP_OP": N_("UNODC-WCO Container Control Programme operation"),
    "CUSTOMS_LED_MARITIME_OP": N_("Customs-led maritime operation"),
    "CUSTOMS_POLICE_JOINT_OP": N_("Joint customs and police operation"),
    "MULTI_AGENCY_OP": N_("Multi-agency operation"),
    "EU_CUSTOMS_OP": N_("EU customs operation (outside the CCWP)"),
    "JOINT_CUSTOMS_SURVEILLANCE_OP": N_("Joint customs surveillance operation (1998, before OLAF)"),
}
# The register's Framework filter: the two groups first, then each framework.
CCWP_CHOICE, RELATED_CHOICE, ALL_CHOICE = "ccwp", "related", "all"
FILTER_CHOICES: dict[str, str] = {
    CCWP_CHOICE: N_("CCWP operations"),
    RELATED_CHOICE: N_("Related operations (other frameworks)"),
    ALL_CHOICE: N_("All frameworks"),
    **FRAMEWORKS,
}


def is_ccwp(framework: str | None) -> bool:
    return (framework or DEFAULT_FRAMEWORK) in CCWP_FRAMEWORKS


def framework_label(framework: str | None) -> str:
    """English; translated where it is shown (``|t``)."""
    code = framework or DEFAULT_FRAMEWORK
    return FRAMEWORKS.get(code, code)
