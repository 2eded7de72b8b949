"""The prompts shown beside each key question: what an assessor looks for before answering.

The standards and key questions are the rating framework's (``casework.rules.rating``, stored and versioned as
rule configuration). rules.md gives no prompts; these are Casework's summary of the kind of prompt the
Inspectorate's published case supervision standards list under each key question, in our words, and are
labelled so on the form. Youth frameworks reuse the probation prompts of the same stage, with the child's
safety and wellbeing in place of engagement.
"""

from __future__ import annotations

PROVENANCE = "Prompts are Casework's summary of the published standards, not the Inspectorate's wording"

_PROBATION: dict[tuple[str, str], tuple[str, ...]] = {
    ("2.1", "ENGAGEMENT"): (
        "Does assessment analyse the person's motivation and readiness to engage and comply?",
        "Does it take account of diversity and personal circumstances, including protected characteristics?",
        "Was the person meaningfully involved, and their views taken into account?",
    ),
    ("2.1", "DESISTANCE"): (
        "Does assessment identify and analyse the factors linked to offending?",
        "Does it identify strengths and protective factors?",
        "Does it draw on the available sources of information, including other assessments?",
    ),
    ("2.1", "SAFETY"): (
        "Does assessment identify and analyse any risk of harm to others, including to actual and potential victims?",
        "Were the police domestic abuse enquiry and the children's services safeguarding check made, and their "
        "answers used?",
        "Is the analysis of risk of harm clear about who is at risk, of what and when?",
    ),
    ("2.2", "ENGAGEMENT"): (
        "Does planning set out how every requirement of the sentence or licence will be delivered in time?",
        "Does it take account of diversity and personal circumstances?",
        "Was the person meaningfully involved in planning?",
    ),
    ("2.2", "DESISTANCE"): (
        "Does planning set out the services most likely to reduce offending, in a sensible order?",
        "Does it build on strengths and protective factors, including family and community resources?",
    ),
    ("2.2", "SAFETY"): (
        "Does planning set out how risk of harm to others will be managed, with the controls and interventions "
        "needed?",
        "Does it involve other agencies where appropriate and address the safety of actual and potential victims?",
        "Does it set out contingency arrangements for the risks identified?",
    ),
    ("2.3", "ENGAGEMENT"): (
        "Do contacts happen at the expected frequency, taking account of diversity and personal circumstances?",
        "Are failures to comply followed up promptly, with proportionate enforcement decisions?",
        "Is an effective working relationship built and kept?",
    ),
    ("2.3", "DESISTANCE"): (
        "Are the services most likely to reduce offending delivered, in a sensible order?",
        "Does delivery build on strengths and involve other organisations and key people in the person's life?",
    ),
    ("2.3", "SAFETY"): (
        "Are the services delivered effective in managing risk of harm?",
        "Are home visits made where they are needed to manage risk?",
        "Is enough attention given to protecting actual and potential victims, with information shared with other "
        "agencies?",
    ),
    ("2.4", "ENGAGEMENT"): (
        "Does reviewing consider compliance and engagement, and the barriers to them?",
        "Was the person involved, and their views taken into account?",
        "Does reviewing lead to changes in the work where needed?",
    ),
    ("2.4", "DESISTANCE"): (
        "Does reviewing identify and respond to changes in the factors linked to offending?",
        "Does it draw on information from other agencies and lead to changes in the plan?",
    ),
    ("2.4", "SAFETY"): (
        "Does reviewing respond promptly to changes in risk of harm after significant events (arrest, charge, "
        "domestic abuse call-out, change of address or household)?",
        "Does it draw on information from other agencies and lead to changes in how risk is managed?",
        "Is management oversight of risk of harm evident?",
    ),
}

_GENERIC = {
    "ENGAGEMENT": ("Is the work under this standard planned and delivered with the person, taking account of "
                   "their circumstances?",),
    "DESISTANCE": ("Does the work under this standard support desistance, building on strengths?",),
    "SAFETY": ("Does the work under this standard keep other people safe, with information shared where needed?",),
}

_YOUTH_KEY = {"DESISTANCE": "DESISTANCE", "RISK_OF_HARM": "SAFETY", "SAFETY_AND_WELLBEING": "ENGAGEMENT"}
_YOUTH_WELLBEING = ("Does the work identify and respond to risks to the child's own safety and wellbeing, with "
                    "children's services involved where needed?",)


def prompts_for(framework: str, standard: str, key_question: str) -> tuple[str, ...]:
    """The prompts for one key question (none for a question with no prompts written)."""
    if framework == "YOUTH_2018":
        if key_question == "SAFETY_AND_WELLBEING":
            return _YOUTH_WELLBEING
        stage = {"3.1": "2.1", "3.2": "2.2", "3.3": "2.3"}.get(standard, standard)
        return _PROBATION.get((stage, _YOUTH_KEY.get(key_question, key_question)), ())
    return _PROBATION.get((standard, key_question)) or _GENERIC.get(key_question, ())
