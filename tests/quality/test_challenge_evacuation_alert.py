"""A challenge set for evacuation_order and alert_status: invented sentences written the way
2010s-2020s news reports evacuation orders and alert postures (wildfires, hurricanes, volcanoes,
chemical spills, embassy drawdowns, nuclear alerts, terror threat levels), with the type,
modality and key arguments the AG News annotation guidelines give them, and hard negatives
(self-flight, lifted orders, shelter in place, medical evacuation, consumer and weather alerts).

The sentences are invented from the constructions, never copied from a development set, so the
set measures how the shipped pack generalises. Run through the public API (``eventx.api``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from eventx.api import Extractor, load_rules

EVAC, ALERT = "evacuation_order", "alert_status"


@dataclass(frozen=True)
class Case:
    """One sentence: an event of ``type`` with ``modality`` and ``args`` (role -> exact text),
    or, when ``event`` is False, no event of ``type`` at all."""

    text: str
    type: str
    modality: str | None = None
    args: dict[str, str] = field(default_factory=dict)
    event: bool = True


def yes(text: str, type_: str, modality: str | None = "asserted", **args: str) -> Case:
    return Case(text, type_, modality, args)


def no(text: str, type_: str) -> Case:
    return Case(text, type_, event=False)


EVACUATION = [
    # orders issued by officials with titles, local bodies, fire agencies
    yes("Governor Ana Ruiz issued a mandatory evacuation order for Monroe County on Tuesday.", EVAC,
        authority="Governor Ana Ruiz", location="Monroe County"),
    yes("The Sonoma County Sheriff's Office ordered residents of Glen Ellen to evacuate.", EVAC,
        authority="The Sonoma County Sheriff's Office", affected="residents", location="Glen Ellen"),
    yes("Cal Fire issued evacuation orders for parts of Butte County as the blaze grew.", EVAC,
        authority="Cal Fire", location="Butte County"),
    yes("Evacuation orders were expanded on Wednesday to include the towns of Concow and Magalia.", EVAC),
    yes("A voluntary evacuation order remains in effect for the barrier islands.", EVAC, location="the barrier islands"),
    yes("Officials issued an evacuation warning for the community of Oak Hills.", EVAC,
        authority="Officials", location="the community of Oak Hills"),
    yes("Hawaii County Civil Defense ordered residents of the Leilani Estates subdivision to evacuate.", EVAC,
        authority="Hawaii County Civil Defense", affected="residents", location="the Leilani Estates subdivision"),
    yes("The prefecture issued an evacuation advisory for some 30,000 residents.", EVAC,
        authority="The prefecture", affected="some 30,000 residents"),
    yes("Florida officials have ordered the mandatory evacuation of about 1.5 million people.", EVAC,
        authority="Florida officials", affected="about 1.5 million people"),
    yes("Local authorities ordered the evacuation of 12 villages near the river.", EVAC,
        authority="Local authorities", location="12 villages near the river"),
    yes("Authorities in Kagoshima ordered the evacuation of 1,200 islanders.", EVAC,
        authority="Authorities in Kagoshima", affected="1,200 islanders"),
    yes("Texas Gov. Dan Hart, who has clashed with the White House over disaster aid, ordered the evacuation of the Gulf Coast.", EVAC,
        authority="Texas Gov. Dan Hart", location="the Gulf Coast"),
    yes("The evacuation of residents within a mile of the crash site was ordered by Governor Tom Hale.", EVAC,
        authority="Governor Tom Hale", affected="residents"),
    yes("Evacuations were ordered by the county sheriff for homes along Route 9.", EVAC, authority="the county sheriff"),
    yes("The army issued evacuation orders for neighbourhoods in the east of the city.", EVAC, authority="The army"),
    yes("Authorities ordered the evacuation of everyone within a mile of the derailment site.", EVAC,
        authority="Authorities", affected="everyone"),
    yes("The government has ordered the evacuation of all foreign diplomats from the capital.", EVAC,
        authority="The government", affected="all foreign diplomats", location="the capital"),
    yes("The Pentagon ordered the evacuation of U.S. personnel from the embassy in Kabul.", EVAC,
        authority="The Pentagon", affected="U.S. personnel", location="the embassy in Kabul"),
    yes("The evacuation of civilians from the besieged city began on Friday, the Red Cross said.", EVAC,
        affected="civilians", location="the besieged city"),
    # people ordered, told, urged, called on to leave
    yes("Officials urged residents of low-lying neighbourhoods to leave before the storm made landfall.", EVAC, "possible",
        authority="Officials", affected="residents", location="low-lying neighbourhoods"),
    yes("Japanese authorities ordered residents within a 20-kilometre radius of the plant to evacuate.", EVAC,
        authority="Japanese authorities", affected="residents"),
    yes("Residents of zones A and B were ordered to evacuate ahead of the hurricane.", EVAC,
        affected="Residents", location="zones A and B"),
    yes("Officials told people living near the volcano to leave their homes.", EVAC,
        authority="Officials", affected="people"),
    yes("Tens of thousands of people were told to leave their homes as the wildfire spread.", EVAC,
        affected="Tens of thousands of people"),
    yes("Ukrainian officials called on residents of Kherson to evacuate to safer areas.", EVAC, "possible",
        authority="Ukrainian officials", affected="residents", location="Kherson"),
    yes("The military told residents of the northern districts to move south.", EVAC,
        authority="The military", affected="residents", location="the northern districts"),
    yes("Residents of 12 villages in the area have been told to evacuate, the district administrator said.", EVAC,
        affected="Residents", authority="the district administrator"),
    yes("The Indonesian government ordered everyone within seven kilometres of the crater to leave.", EVAC,
        authority="The Indonesian government", affected="everyone"),
    yes("Emergency officials ordered about 80,000 people to evacuate as the river rose.", EVAC,
        authority="Emergency officials", affected="about 80,000 people"),
    yes("Residents in a 5-kilometre radius around the factory were told to evacuate after the chemical leak.", EVAC,
        affected="Residents"),
    yes("Thousands were ordered out of their homes on Monday.", EVAC, affected="Thousands"),
    yes("Hundreds of thousands of people have been ordered to evacuate in southern Louisiana.", EVAC,
        affected="Hundreds of thousands of people", location="southern Louisiana"),
    yes("The State Department told Americans in Lebanon to leave the country while commercial flights are still available.", EVAC,
        authority="The State Department", affected="Americans"),
    yes("The embassy urged U.S. citizens to depart Israel as soon as possible.", EVAC, "possible",
        authority="The embassy", affected="U.S. citizens", location="Israel"),
    yes("The Foreign Office advised British nationals to leave the country immediately by commercial means.", EVAC, None,
        authority="The Foreign Office", affected="British nationals", location="the country"),
    yes("The governor warned that mandatory evacuations could be ordered for coastal areas.", EVAC, "possible",
        location="coastal areas"),
    # embassies: ordered / authorized departure, drawdowns
    yes("The State Department ordered the departure of non-emergency U.S. government employees and family members from Embassy Kyiv.", EVAC,
        authority="The State Department", affected="non-emergency U.S. government employees and family members",
        location="Embassy Kyiv"),
    yes("On Saturday the embassy moved to “ordered departure” status, the State Department said.", EVAC),
    yes("Washington authorized the voluntary departure of non-emergency personnel from its consulate in Erbil.", EVAC,
        authority="Washington", affected="non-emergency personnel", location="its consulate in Erbil"),
    yes("Britain has begun a drawdown of embassy staff in Kyiv.", EVAC, authority="Britain", affected="embassy staff"),
    # people or places evacuated by someone
    yes("More than 5,000 people were evacuated from areas near the volcano.", EVAC,
        affected="More than 5,000 people", location="areas near the volcano"),
    yes("The U.S. military has evacuated more than 120,000 people from Kabul's airport.", EVAC,
        authority="The U.S. military", affected="more than 120,000 people", location="Kabul's airport"),
    yes("Germany began evacuating its citizens from Sudan on Sunday.", EVAC,
        authority="Germany", affected="its citizens", location="Sudan"),
    yes("France has evacuated 388 people, including 100 French nationals, from Khartoum.", EVAC,
        authority="France", affected="388 people", location="Khartoum"),
    yes("China evacuated more than 1,300 of its citizens from Sudan by sea.", EVAC,
        authority="China", affected="more than 1,300 of its citizens", location="Sudan"),
    yes("The navy evacuated 500 foreign nationals from the port of Aden.", EVAC,
        authority="The navy", affected="500 foreign nationals", location="the port of Aden"),
    yes("About 40,000 residents of the city were evacuated through humanitarian corridors.", EVAC,
        affected="About 40,000 residents"),
    yes("The Philippine government evacuated thousands of families from the slopes of the volcano.", EVAC,
        authority="The Philippine government", affected="thousands of families", location="the slopes of the volcano"),
    yes("Police evacuated several blocks around the train station after a suspicious package was found.", EVAC,
        authority="Police"),
    yes("Italy's foreign ministry said it had evacuated 200 Italians from the Gaza Strip.", EVAC,
        authority="Italy's foreign ministry", affected="200 Italians", location="the Gaza Strip"),
    yes("More than 1,000 tourists were evacuated by boat from the island.", EVAC,
        affected="More than 1,000 tourists", location="the island"),
    yes("Canada is airlifting its citizens out of Haiti.", EVAC, authority="Canada", affected="its citizens"),
    yes("The UN has relocated its international staff from the capital to Port Sudan.", EVAC,
        authority="The UN", affected="its international staff"),
    yes("South Korea sent military planes to evacuate its nationals from Sudan.", EVAC,
        authority="South Korea", affected="its nationals", location="Sudan"),
    yes("Rescue crews are going door to door to evacuate residents of the flooded streets.", EVAC,
        authority="Rescue crews", affected="residents"),
    yes("The U.S. has flown out more than 7,000 people since Saturday.", EVAC,
        authority="The U.S.", affected="more than 7,000 people"),
    yes("The United States shut its embassy in Sanaa and evacuated its staff.", EVAC,
        authority="The United States", affected="its staff"),
    yes("U.S. special forces swooped into war-torn Haiti in two helicopters and evacuated the embassy.", EVAC,
        authority="U.S. special forces", location="the embassy"),
    yes("Rescue officials are going door to door in the township to evacuate the remaining residents.", EVAC,
        authority="Rescue officials", affected="the remaining residents"),
    yes("The county sheriff's office is on scene, helping evacuate people from their homes in the valley.", EVAC,
        authority="The county sheriff's office", affected="people"),
    yes("The town issued an emergency evacuation notice for a half-mile around the fire.", EVAC,
        authority="The town", location="a half-mile around the fire"),
    yes("Evacuation order issued for town near volcano", EVAC, location="town near volcano"),
    yes("The mayor asked everyone living along the creek to leave their homes before dark.", EVAC, "possible",
        authority="The mayor", affected="everyone"),
    yes("Countries scrambled to evacuate their nationals from Khartoum.", EVAC,
        authority="Countries", affected="their nationals", location="Khartoum"),
    yes("US suspends embassy operations in Khartoum, evacuates staff", EVAC, authority="US", affected="staff"),
    yes("The US is drawing down staff at its embassy in Baghdad.", EVAC,
        authority="The US", affected="staff", location="its embassy in Baghdad"),
    yes("The State Department facilitated the departure of about 1,000 Americans from Israel.", EVAC,
        authority="The State Department", affected="about 1,000 Americans", location="Israel"),
    yes("A C-17 flew 640 Afghans out of Kabul.", EVAC, affected="640 Afghans", location="Kabul"),
    yes("The United States has withdrawn all remaining diplomatic staff from its embassy in Sanaa.", EVAC,
        authority="The United States", affected="all remaining diplomatic staff"),
    yes("The State Department is assisting Americans who wish to depart Israel.", EVAC,
        authority="The State Department", affected="Americans", location="Israel"),
    yes("The airlift from Kabul continued on Friday.", EVAC, location="Kabul"),
    yes("The U.S. military evacuated at-risk Afghans from the airport.", EVAC,
        authority="The U.S. military", affected="at-risk Afghans", location="the airport"),
    yes("The State Department ordered all non-emergency U.S. government employees and their family members to leave the country.", EVAC,
        authority="The State Department", location="the country"),
    yes("The State Department ordered all U.S. personnel out of Yemen.", EVAC,
        authority="The State Department", affected="all U.S. personnel", location="Yemen"),
    yes("Soldiers evacuated about 5,000 villagers in the province.", EVAC,
        authority="Soldiers", affected="about 5,000 villagers", location="the province"),
    yes("About 300 residents were evacuated overnight, the sheriff's office said.", EVAC,
        affected="About 300 residents", authority="the sheriff's office"),
    yes("The State Department ordered the departure of non-emergency staff at the embassy in Baghdad.", EVAC,
        authority="The State Department", location="the embassy in Baghdad"),
    yes("The county's mandatory evacuation order covers 3,000 homes.", EVAC, authority="The county"),
    yes("Japan's evacuation of its citizens began on Monday.", EVAC, authority="Japan", affected="its citizens"),
    yes("Residents were evacuated on the orders of the fire marshal.", EVAC,
        affected="Residents", authority="the fire marshal"),
    yes("About 200 homes were evacuated, according to the sheriff's office.", EVAC,
        authority="the sheriff's office"),
    yes("A mandatory evacuation order went into effect on Sunday for the barrier islands.", EVAC,
        location="the barrier islands"),
    yes("The county issued evacuation orders to residents of the valley.", EVAC,
        authority="The county", affected="residents", location="the valley"),
    yes("The State Department ordered the departure of family members of embassy staff serving in Kyiv.", EVAC,
        authority="The State Department", location="Kyiv"),
    yes("Marines could be used to evacuate thousands of Americans now residing in Ukraine.", EVAC, "possible",
        affected="thousands of Americans", location="Ukraine"),
    # modality
    yes("The U.S. will not conduct a coordinated evacuation of U.S. citizens.", EVAC, "negated",
        authority="The U.S.", affected="U.S. citizens"),
    yes("The Pentagon is ready to support a possible evacuation of U.S. citizens from the country.", EVAC, "possible",
        authority="The Pentagon", affected="U.S. citizens"),
    yes("The State Department said it has no plans to evacuate the embassy.", EVAC, "negated",
        authority="The State Department"),
    yes("The government could order the evacuation of the town if the dam fails.", EVAC, "hypothetical"),
    yes("Officials said they had no plans to evacuate the city.", EVAC, "negated"),
    yes("Officials have not yet decided whether to evacuate the island.", EVAC, "hypothetical"),
    # not an evacuation order
    no("Thousands of residents fled their homes as the fire approached.", EVAC),
    no("Residents were forced to flee as floodwaters rose.", EVAC),
    no("Residents were told to shelter in place until the chemical cloud dispersed.", EVAC),
    no("Evacuation routes were clogged with traffic on Sunday.", EVAC),
    no("The wounded soldier was medically evacuated by helicopter.", EVAC),
    no("The chief executive announced his departure from the company.", EVAC),
    no("Flight departures were delayed by fog at Heathrow.", EVAC),
    no("Many residents chose to evacuate voluntarily before the hurricane arrived.", EVAC),
    no("The school held an evacuation drill on Tuesday morning.", EVAC),
    no("Officials lifted the evacuation order for Paradise on Friday.", EVAC),
    no("Residents were allowed to return home after the evacuation orders were lifted.", EVAC),
    no("Apple told suppliers to move production out of China.", EVAC),
    no("The referee ordered the player to leave the pitch.", EVAC),
    no("The ambassador's departure from Moscow was announced on Monday.", EVAC),
    no("The ministry expelled 10 diplomats and ordered them to leave the country within 72 hours.", EVAC),
    no("The company plans a drawdown of its credit line.", EVAC),
    no("The evacuation centre at the school was full.", EVAC),
    no("Families who evacuated on their own said they would stay with relatives.", EVAC),
    no("Residents who evacuated ahead of the hurricane returned home on Sunday.", EVAC),
    no("Officials downgraded evacuation orders to warnings on Tuesday.", EVAC),
    no("The county lifted all remaining evacuation orders.", EVAC),
    no("Residents in zone C should be prepared to leave.", EVAC),
    no("The company withdrew its staff from Russia.", EVAC),
    no("Thousands of residents were forced to evacuate their homes.", EVAC),
    no("Many residents have already evacuated their homes.", EVAC),
    no("Families living near the plant evacuated on their own.", EVAC),
    no("The airlift of food to the region continued.", EVAC),
    no("Parents may not take children out of school during term.", EVAC),
]

ALERTS = [
    # put / placed on alert, readiness, standby
    yes("President Ivan Sokolov ordered the country's nuclear deterrence forces put on special alert.", ALERT,
        authority="President Ivan Sokolov", force="the country's nuclear deterrence forces", level="special alert"),
    yes("The president put Russia's nuclear deterrence forces on high alert.", ALERT,
        authority="The president", force="Russia's nuclear deterrence forces", level="high alert"),
    yes("The Pentagon placed about 8,000 troops on heightened alert for a possible deployment to Europe.", ALERT,
        authority="The Pentagon", force="about 8,000 troops", level="heightened alert"),
    yes("Taiwan's armed forces were put on combat readiness.", ALERT,
        force="Taiwan's armed forces", level="combat readiness"),
    yes("Security forces were put on maximum alert after the attack.", ALERT,
        force="Security forces", level="maximum alert"),
    yes("North Korea put its frontline artillery units on combat readiness.", ALERT,
        authority="North Korea", force="its frontline artillery units", level="combat readiness"),
    yes("Nigeria's police chief placed officers on red alert ahead of the protests.", ALERT,
        authority="Nigeria's police chief", level="red alert"),
    yes("Air defence units around the capital were put on combat alert.", ALERT,
        force="Air defence units", level="combat alert"),
    yes("Border guards have been placed on heightened alert, the interior ministry said.", ALERT,
        force="Border guards", authority="the interior ministry", level="heightened alert"),
    yes("Troops in the south have been put on standby for possible deployment.", ALERT, force="Troops"),
    yes("Kenya's police were placed on high alert after the embassy warned of a possible attack.", ALERT,
        force="Kenya's police", level="high alert"),
    yes("Defence Minister Kim Sung-ho, speaking after an emergency meeting, put troops along the border on maximum alert.", ALERT,
        authority="Defence Minister Kim Sung-ho", level="maximum alert"),
    yes("Russian President Ivan Sokolov has ordered placing the Russian army's deterrence forces on a special alert.", ALERT,
        authority="Russian President Ivan Sokolov", force="the Russian army's deterrence forces"),
    yes("North Korea put its army on a war footing.", ALERT, authority="North Korea", force="its army", level="a war footing"),
    yes("Defence Minister Anna Roe has placed 1,200 marines on heightened preparedness to deploy.", ALERT,
        authority="Defence Minister Anna Roe", force="1,200 marines", level="heightened preparedness"),
    # on alert, standby
    yes("Police forces across the country have been told to be on standby.", ALERT, force="Police forces", level="standby"),
    yes("China's military said it was on high alert after the warship sailed through the strait.", ALERT,
        force="China's military", level="high alert"),
    yes("Police across the country are on high alert ahead of the election.", ALERT, force="Police", level="high alert"),
    yes("The army has been on standby since Tuesday.", ALERT, force="The army", level="standby"),
    yes("About 3,000 National Guard troops are on standby in Washington.", ALERT,
        force="About 3,000 National Guard troops", location="Washington"),
    yes("U.S. forces in the region were on heightened alert following the drone strike.", ALERT,
        force="U.S. forces", level="heightened alert"),
    yes("The Kremlin said Russian forces in the region remained on high alert.", ALERT,
        force="Russian forces", level="high alert"),
    yes("Japan's coast guard remains on alert for further missile launches.", ALERT, force="Japan's coast guard"),
    yes("The island's armed forces went on high alert after the drills began.", ALERT,
        force="The island's armed forces", level="high alert"),
    # levels raised or lowered
    yes("South Korea's military raised its alert level after the North fired a ballistic missile.", ALERT,
        authority="South Korea's military"),
    yes("Japan's meteorological agency raised the alert level for Mount Aso to 3 on Sunday.", ALERT,
        authority="Japan's meteorological agency", location="Mount Aso", level="3"),
    yes("The volcanology institute raised the alert level around Taal Volcano to 4.", ALERT,
        authority="The volcanology institute", location="Taal Volcano", level="4"),
    yes("The U.S. Geological Survey raised the alert level for Kilauea to warning.", ALERT,
        authority="The U.S. Geological Survey", location="Kilauea", level="warning"),
    yes("The UK's terrorism threat level has been raised from substantial to severe.", ALERT, level="severe"),
    yes("The Home Secretary announced that the national threat level was being lowered to substantial.", ALERT,
        authority="The Home Secretary", level="substantial"),
    yes("Australia's terrorism threat level was raised to 'probable'.", ALERT, level="'probable'"),
    yes("The Netherlands raised its terror threat level to 4 on a scale of 5.", ALERT,
        authority="The Netherlands", level="4"),
    yes("Israel's Home Front Command raised the alert level in the north.", ALERT,
        authority="Israel's Home Front Command"),
    yes("Poland's military raised its readiness level near the border with Belarus.", ALERT,
        authority="Poland's military"),
    yes("The alert level for the volcano was lowered to 2 after seismic activity decreased.", ALERT, level="2"),
    yes("The government lowered the country's terror alert from 'critical' to 'severe'.", ALERT,
        authority="The government", level="'severe'"),
    yes("The government raised the national alert level to orange.", ALERT, authority="The government", level="orange"),
    yes("The DEFCON level was raised to 3.", ALERT, level="3"),
    yes("The terror threat level in Britain has been downgraded from critical to severe which means an attack is highly likely.", ALERT,
        location="Britain", level="severe"),
    yes("The level had been raised on Friday to critical after the bombing.", ALERT, level="critical"),
    yes("UK Prime Minister Jane May announced that the terrorism threat level in the country was reduced to severe.", ALERT,
        authority="UK Prime Minister Jane May", level="severe"),
    yes("Taiwan raised its combat readiness after the drills.", ALERT, authority="Taiwan"),
    yes("The Philippine volcano institute raised Alert Level 3 over Taal Volcano.", ALERT, level="3", location="Taal Volcano"),
    yes("North Korea ordered its frontline units into a state of full combat readiness.", ALERT,
        authority="North Korea", force="its frontline units"),
    yes("Authorities issued a level 4 alert for Mount Ibu.", ALERT,
        authority="Authorities", level="level 4 alert", location="Mount Ibu"),
    yes("Indonesia raised the status of Mount Merapi to the highest level.", ALERT,
        authority="Indonesia", location="Mount Merapi"),
    yes("The Hawaiian Volcano Observatory raised the volcano alert level to warning.", ALERT,
        authority="The Hawaiian Volcano Observatory", level="warning"),
    yes("Some 3,000 soldiers were put on a “heightened alert” status.", ALERT, force="Some 3,000 soldiers"),
    yes("The Pentagon has put 2,000 troops on a \"prepare to deploy order\".", ALERT,
        authority="The Pentagon", force="2,000 troops"),
    yes("About 1,000 paratroopers were placed on prepare to deploy orders.", ALERT, "asserted",
        force="About 1,000 paratroopers"),
    yes("The North Korean army's front-line units were ordered into combat readiness.", ALERT,
        force="The North Korean army's front-line units", level="combat readiness"),
    yes("The 82nd Airborne Division has put 2,000 paratroopers on alert.", ALERT,
        authority="The 82nd Airborne Division", force="2,000 paratroopers"),
    yes("India put its armed forces on high alert along the Line of Control.", ALERT,
        authority="India", force="its armed forces", location="the Line of Control"),
    yes("About 1,000 soldiers have been placed on reduced notice to move.", ALERT,
        force="About 1,000 soldiers", level="reduced notice"),
    yes("The Pentagon is standing by to support a potential evacuation of U.S. staff from the embassy.", EVAC, "possible",
        authority="The Pentagon", affected="U.S. staff"),
    yes("The North put its troops on a semi-war footing.", ALERT, force="its troops", level="a semi-war footing"),
    yes("The South Korean military raised its surveillance posture after the launch.", ALERT,
        authority="The South Korean military"),
    yes("The government issued a J-Alert for Okinawa Prefecture.", ALERT, authority="The government",
        location="Okinawa Prefecture"),
    yes("Lithuania declared a state of heightened alert along its border with Belarus.", ALERT, authority="Lithuania"),
    # not an alert status
    no("An Amber Alert was issued for a missing four-year-old girl.", ALERT),
    no("Set a price alert to be notified when fares drop.", ALERT),
    no("The app will alert users when their passwords have been leaked.", ALERT),
    no("The National Weather Service issued an excessive heat alert for Phoenix.", ALERT),
    no("Residents were alerted to the danger by sirens.", ALERT),
    no("The company expressed its readiness to cooperate with regulators.", ALERT),
    no("The goalkeeper stood by his decision.", ALERT),
    no("Investors remained on alert for signs of inflation.", ALERT),
    no("The agency issued a security alert about a flaw in the browser.", ALERT),
    # diplomatic missions as the ones on alert
    yes("Many Canadian diplomatic missions abroad were on high alert after the threats.", ALERT,
        force="Many Canadian diplomatic missions abroad", level="high alert"),
    no("The diplomatic mission sent a readiness report to the ministry.", ALERT),
    # a level that stays where it is (a status, named by its level)
    yes("Belgium's terror threat level remains at severe after the arrests.", ALERT,
        location="Belgium", level="severe"),
    yes("The alert level for the volcano was kept at 2 on Sunday.", ALERT, level="2"),
    yes("Alert Level 3 remains in effect over Mount Example.", ALERT, level="3"),
    no("The river level remains at 4 metres above normal.", ALERT),
    no("The risk level stays at moderate for the region, doctors said.", ALERT),
    # air or coastal defences put on alert
    yes("Hanoi put its air defences on alert after the incursion.", ALERT, force="its air defences"),
    no("The goalkeeper kept the defences on alert all game.", ALERT),
    no("The drills tested the combat readiness of the troops.", ALERT),
    no("Passengers flying standby were offered seats on the next flight.", ALERT),
    no("Motorists should stay alert on icy roads.", ALERT),
    no("The bank raised interest rates to 5 percent.", ALERT),
    no("Google issued a critical alert urging Chrome users to update their browsers.", ALERT),
    no("The hospital put extra nurses on standby for the holiday weekend.", ALERT),
    no("Neighbours raised the alarm when they saw smoke.", ALERT),
    no("Fans were on high alert for ticket sales.", ALERT),
    no("The government put the economy on a sound financial footing.", ALERT),
    no("The Chinese military conducted a joint combat readiness patrol near the island.", ALERT),
    no("The board raised the status of women in the company.", ALERT),
    no("The firm was put on notice by regulators.", ALERT),
    no("The National Weather Service issued a flood alert for the county.", ALERT),
    no("Authorities declared an orange alert for heavy rainfall in five provinces.", ALERT),
    no("A red alert for extreme heat was issued for London.", ALERT),
]

CASES = EVACUATION + ALERTS


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor(load_rules())


def _found(event: dict, case: Case) -> bool:
    if case.modality and event["modality"] != case.modality:
        return False
    return all(event["args"].get(role, {}).get("text") == text for role, text in case.args.items())


def _describe(events: list[dict]) -> str:
    return "; ".join(
        f"{e['rule']} '{e['trigger']['text']}' [{e['modality']}] "
        + ", ".join(f"{r}={a['text']!r}" for r, a in sorted(e["args"].items()))
        for e in events
    ) or "no event"


@pytest.mark.parametrize("case", CASES, ids=[f"{c.type[:5]}-{i:03d}" for i, c in enumerate(CASES)])
def test_challenge_sentence(extractor: Extractor, case: Case) -> None:
    events = [e for e in extractor.extract(case.text) if e["type"] == case.type]
    if not case.event:
        assert not events, f"{case.text!r}: expected no {case.type}, got {_describe(events)}"
        return
    assert any(_found(e, case) for e in events), (
        f"{case.text!r}: expected {case.type} [{case.modality}] {case.args}, got {_describe(events)}"
    )


def test_the_challenge_set_is_broad() -> None:
    """At least 80 sentences, positives and hard negatives of both types."""
    assert len(CASES) >= 80
    for t in (EVAC, ALERT):
        assert sum(c.event for c in CASES if c.type == t) >= 30
        assert sum(not c.event for c in CASES if c.type == t) >= 15
