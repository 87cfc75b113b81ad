"""Modality cues and their scope. ``[x]`` marks the trigger, ``{...}`` the match span."""

from __future__ import annotations

import pytest

from eventx.extract.modality import MODALITIES, detect_modality

CASES = [
    # --- required by the brief
    ("{China has [deployed] about 2,000 soldiers to the disputed border region}, state media reported.", "asserted"),
    ("The president said he has no plans to [send] troops to the region.", "negated"),
    ("Officials warned that residents could be told to [evacuate] within hours.", "possible"),
    ("Officials warned that residents could be [told] to evacuate within hours.", "possible"),
    ("{The embassy [ordered] all non-essential staff to leave Khartoum} on Sunday.", "asserted"),
    ("If the fighting spreads, the government will [evacuate] the town.", "hypothetical"),
    ("Washington denied [deploying] additional warships.", "negated"),
    # only if all else fails
    ("Lima would [send] marines to the islands as a last resort.", "hypothetical"),
    ("As a last resort, the mayor could [order] an evacuation.", "hypothetical"),
    ("Lima [sent] marines to the islands, a last resort after talks failed.", "asserted"),
    # a claim refuted after the event's clause; a refutation without a claim noun is not one
    ("{Reports that troops had been [sent] to the north} are false, the ministry said.", "negated"),
    ("{Rumours of a troop [build-up] near the border} were completely unfounded.", "negated"),
    ("{Claims that Lima had [deployed] marines to the islands} were denied on Monday.", "negated"),
    ("{Reports that troops had been [sent] to the north} were confirmed on Monday.", "asserted"),
    ("{Troops were [sent] to the north} after reports that turned out to be false.", "asserted"),
    ("Lima dismissed claims that it had [sent] marines to the islands.", "negated"),
    # an inflected verb after the cue's own object and "and" is the subject's second verb
    ("The president denied the charges and [sent] troops to the capital.", "asserted"),
    ("Lima rejected the plan and then [deployed] marines to the islands.", "asserted"),
    ("Lima rejected sending and [arming] the militias.", "negated"),
    # a verb that keeps its object from the event: "bar/ban/prohibit/prevent ... from"
    ("A treaty bars both navies from [sending] warships into the bay.", "negated"),
    ("The charter prohibits its soldiers from being [deployed] abroad.", "negated"),
    ("Residents were prevented from [leaving] by the floods.", "negated"),
    ("The court did not bar the police from being [sent] to the camp.", "possible"),  # a denied bar
    ("The ministry stopped a convoy from Leeds and [sent] troops to the port.", "asserted"),
    # a cue in scare quotes still governs the event; a quotation of a whole clause does not
    ('Oslo said it had "no intention" of [sending] frigates to the strait.', "negated"),
    ("Oslo said it had \u201cno plans\u201d to [send] frigates to the strait.", "negated"),
    ('"No one expected it," Oslo said, and [sent] frigates to the strait.', "asserted"),
    # "no X to/of" reaches the event's own verb, not only its trigger (a state noun)
    ("Chile has no intention of {putting its navy on [alert]}.", "negated"),
    ("Chile has no plans to {place 300 police officers on [standby]}.", "negated"),
    ("No headway in {the Chile-Peru [talks]} was reported.", "asserted"),
    ("The envoys made no headway on {restarting the border [talks]}.", "negated"),
    # "as many as" is a number in the governor's object, not a clause
    ("{Quito may place as many as 4,000 soldiers on [alert]}.", "possible"),
    ("Quito will [send] as many as 300 soldiers as soon as the vote is over.", "asserted"),
    # refraining and stopping short negate; a denied hesitation commits
    ("The mayor stopped short of {ordering an [evacuation]}.", "negated"),
    ("Lima has so far refrained from [sending] troops to the border.", "negated"),
    ("Lima said it would not hesitate to [deploy] the army if the riots spread.", "hypothetical"),
    ("Lima did not hesitate to [deploy] the army.", "asserted"),
    # a governor coordinated with the event's own predicate governs nothing; "ready and
    # willing to" still governs the infinitive
    ('Its border guards are "fully prepared" and {on heightened [alert]}.', "asserted"),
    ("{The garrison is ready and on [standby]}.", "asserted"),
    ("Lima is ready and willing to [send] troops to the border.", "possible"),
    ("Lima is ready to [send] troops to the border.", "possible"),
    # a governor noun that is the subject of the event's verb governs nothing
    ("{The terror threat is [raised] from substantial to severe}.", "asserted"),
    ("The proposal is to [send] 500 troops to the border.", "possible"),
    ("{Belgian terror threat [cut] to 'moderate'}", "asserted"),
    ("The threat of [sending] troops hung over the talks.", "possible"),
    # "so they/that" opens a clause of its own: its condition is not the event's
    ("{Oslo will put a battalion on high [readiness]} so they can be sent if needed.", "asserted"),
    ("Oslo will [send] troops to the island if the storm hits.", "hypothetical"),
    # a preposition's cue reaches a planned event through "move/plan ... to"; a focus aside
    # (", especially ...,") ends no clause
    ("The council decided against any move to [evacuate] the villages.", "negated"),
    ("Ministers argued against plans for a bridge, and {[deployed] the army}.", "asserted"),
    ("Officials urged residents, especially the elderly, to [evacuate] the area.", "possible"),
    ("Lima sees hope of ending all disputes, including over the border, through {[talks] now under way}.", "asserted"),
    # --- asserted: announced, scheduled, agreed (guidelines)
    ("Japan will [send] troops to the region.", "asserted"),
    ("Japan plans to [send] troops.", "asserted"),
    ("Japan agreed to [send] troops.", "asserted"),
    ("Japan is to [send] troops.", "asserted"),
    ("Japan decided to [send] troops.", "asserted"),
    ("The UN said it would [send] peacekeepers.", "asserted"),
    ("Japan's defence minister said on Monday that {the army would [deploy] 500 troops}.", "asserted"),
    ("Japan must [send] troops by Friday under the deal.", "asserted"),
    # --- negated: particles in the verb group
    ("Japan won't [send] troops.", "negated"),
    ("Japan can't [send] troops.", "negated"),
    ("Japan couldn't [send] troops.", "negated"),
    ("Japan did not [send] troops.", "negated"),
    ("Japan has never [deployed] troops abroad.", "negated"),
    ("Japan no longer [deploys] troops abroad.", "negated"),
    ("Japan decided not to [send] troops.", "negated"),
    ("The government has a policy of not [contributing] troops.", "negated"),
    ("Tokyo would not [send] troops, the minister said.", "negated"),
    ("The [evacuation] was not ordered.", "negated"),
    # --- negated: "no" + noun
    ("No troops will be [deployed] to the region.", "negated"),
    ("There will be no [evacuation] of the town.", "negated"),
    ('"We have no plans to [send] troops," the minister said.', "negated"),
    # --- negated: negative verbs, nouns and prepositions
    ("Britain ruled out [sending] more troops.", "negated"),
    ("Japan declined to [send] troops.", "negated"),
    ("Japan rejected a request to [send] troops.", "negated"),
    ("Japan turned down a plea for more [troops].", "negated"),
    ("Pakistan rebuffed pleas for more [troops].", "negated"),
    ("The ministry denied that troops had been [sent].", "negated"),
    ("The ministry denied reports that it had [sent] troops.", "negated"),
    ("NATO voiced opposition to [deploying] troops.", "negated"),
    ("Japan will send aid instead of [sending] troops.", "negated"),
    ("The [deployment] of troops was ruled out.", "negated"),
    # --- hypothetical
    ("Residents will be [evacuated] if the river rises.", "hypothetical"),
    ("Troops could be [deployed] if talks fail.", "hypothetical"),
    ("Japan said it would [send] troops if asked.", "hypothetical"),
    ("Should the talks fail, Oslo would [send] two frigates.", "hypothetical"),  # inversion
    ("Were the border to close, the army would [evacuate] the villages.", "hypothetical"),
    ("Should Oslo [send] two frigates?", "possible"),  # a question, no condition
    ("In the event of an attack, troops will be [deployed].", "hypothetical"),
    ("Troops will be [deployed] in case of an attack.", "hypothetical"),
    ("The cabinet is weighing whether to [send] troops.", "hypothetical"),
    ("It is unclear whether troops will be [deployed].", "hypothetical"),
    ("Officials asked if Japan would [send] troops.", "hypothetical"),
    ("The government had not yet decided on a request for [reinforcements].", "hypothetical"),
    ("Japan has yet to decide whether to [send] troops.", "hypothetical"),
    ("Japan is undecided on [sending] troops.", "hypothetical"),
    ("No decision has been made on [sending] troops.", "hypothetical"),
    ("The allies said there was no consensus on [sending] marines.", "hypothetical"),
    # --- possible: modals
    ("Japan may [send] troops in May.", "possible"),
    ("Japan might [dispatch] troops.", "possible"),
    ("Some 500 troops may be [sent] to the region.", "possible"),
    ("The army could [send] troops within days, officials said.", "possible"),
    ("Japan should [send] troops, the senator said.", "possible"),
    ("The move would see troops [sent] to the border.", "possible"),
    ("The [deployment] of more troops could begin next week.", "possible"),
    # --- possible: lexical cues
    ("Japan threatened to [send] troops.", "possible"),
    ("The cabinet is considering [sending] troops.", "possible"),
    ("Japan is mulling a [deployment] to Iraq.", "possible"),
    ("Officials drew up contingency plans for an emergency [evacuation] of the crew.", "possible"),
    ("NATO called for the [evacuation] of the city.", "possible"),
    ("Officials urged residents to [evacuate].", "possible"),
    # an opening quote after "to" starts the order's own words, no clause
    ('Officials urged residents to "[leave] immediately".', "possible"),
    ("The mayor warned campers to “[evacuate] now” before the fire.", "possible"),
    ('Officials could not tell residents to "[leave]".', "negated"),
    ("The consulate advised its nationals to [leave] the country.", "possible"),  # advice, as urging
    ("Officials encouraged tourists to [leave] the island.", "possible"),
    ("Officials advised that the town be [evacuated].", "possible"),
    ("NATO urged Britain, France and Italy to [send] more troops.", "possible"),
    ("Residents were told to prepare to [evacuate].", "possible"),
    ("The army is ready to [deploy] troops.", "possible"),
    ("Japan is expected to [send] troops.", "possible"),
    ("The rebels accused Kabul of planning to [call up] reservists.", "possible"),
    ("The mission needs 2,000 more [troops].", "possible"),
    ("A possible [deployment] of troops was discussed.", "possible"),
    ("An [evacuation] is unlikely.", "possible"),
    # --- precedence: the strongest cue wins
    ("Britain did not rule out [sending] more troops.", "possible"),  # denied denial
    ("Oslo refused to rule out [sending] more soldiers.", "possible"),  # a refused denial too
    ("Lima declined to rule out a [deployment] of marines.", "possible"),
    ("Oslo refused to [send] more soldiers.", "negated"),
    ("He said there was no need to [send] troops.", "negated"),  # negated > possible
    ("Troops would not be [deployed] unless talks fail.", "negated"),  # negated > hypothetical
    # --- a frame set off by commas does not end the clause
    ("If the river keeps rising, officials said, the [evacuation] could be widened.", "hypothetical"),
    ('"We have no plans," he said, "to [send] troops."', "negated"),
    # --- scope traps: the cue does not govern the trigger
    ("Officials who could not be named said the army [deployed] troops.", "asserted"),
    ("Residents who could not leave were [evacuated] by helicopter.", "asserted"),
    ("Troops who refused to fight were [deployed] to the front.", "asserted"),
    ("Protesters who opposed the war watched as troops were [deployed].", "asserted"),
    ("The soldiers, who could barely walk, were [deployed] to the front.", "asserted"),
    ("Japan, which has refused to send troops, [deployed] ships.", "asserted"),
    ("After the UN rejected the plan, Britain [sent] troops.", "asserted"),
    ("Although officials could not confirm it, the army [deployed] troops.", "asserted"),
    ("No agreement was reached and troops were [deployed] to the border.", "asserted"),
    ("Troops with no combat experience were [deployed] to the border.", "asserted"),
    ("There is no doubt that troops will be [sent].", "asserted"),
    ("The army, facing no resistance, [deployed] troops.", "asserted"),
    ("Considering the risks, the army [deployed] troops.", "asserted"),
    ("The army [deployed] troops after officials urged calm.", "asserted"),
    ("The troops needed for the mission were [deployed] last week.", "asserted"),
    ("The ministry declined to comment on the [deployment].", "asserted"),
    ("Japan will not only [send] troops but also ships.", "asserted"),
    ("Whether or not talks succeed, troops will be [deployed].", "asserted"),
    ("Troops will be [deployed] even if talks fail.", "asserted"),
    ("{Japan [sent] troops} to see if the road was open.", "asserted"),
    ("The army sent troops to see if the road was open and [deployed] them.", "asserted"),
    ("{Japan [sent] troops to Iraq} and may send more.", "asserted"),
    ("The [deployment] of more troops could lead to clashes.", "asserted"),
    ("In May, Japan [sent] troops.", "asserted"),
    # a capitalised "May" before an inflected verb is a name, not a modal
    ("Prime Minister Ann May [raises] the terror threat level to critical.", "asserted"),
    ("Ann May said troops May Be [Sent] To the Border.", "possible"),
    ("Troops May Be [Sent] To Border", "possible"),
    # a possibility word after a determiner or superlative qualifies a noun of its own
    ("{The cabinet [raised] the threat level to its highest possible rating}.", "asserted"),
    ("Peru's heightened state of [alert] over a potential strike continues.", "asserted"),
    ("The [evacuation] of the valley is possible.", "possible"),
    ("The [evacuation] of the valley remains a possible option.", "possible"),
    ("Japan [sent] troops without warning.", "asserted"),
    ("It is not clear when troops will be [deployed].", "asserted"),
    ("The national threat level was [lowered] to substantial.", "asserted"),
    ("Norway's terror threat level has been [raised] from moderate to high, the minister said.", "asserted"),
    ("The rebels' threat to [evacuate] the town alarmed the aid agencies.", "possible"),
    ("Troops were put on standby in case of an [evacuation] of the embassy.", "possible"),
    ("Ships stayed offshore in the event of a mass [evacuation].", "possible"),
    ("In case of an attack, the army will [evacuate] the town.", "hypothetical"),
    ("It was too dangerous to carry out a wider [evacuation], officials said.", "negated"),
    ("The army said it was too late to [evacuate] the villages.", "negated"),
    ("The governor stopped short of ordering an [evacuation] of the coast.", "negated"),
    ("A wider [evacuation] of the valley is under consideration.", "possible"),
    # "to" before the nominal trigger's own noun phrase is a preposition, not an infinitive
    ("Officials upgraded the warning to an [evacuation] order for the valley.", "asserted"),
    ("Officials may move to an [evacuation] of the valley.", "possible"),
]


@pytest.mark.parametrize(("marked_text", "expected"), CASES, ids=[c[0][:60] for c in CASES])
def test_modality(marked, marked_text: str, expected: str) -> None:
    m = marked(marked_text)
    assert detect_modality(m.sentence, m.trigger, m.span) == expected, m.text_of(m.trigger)


def test_every_family_is_covered() -> None:
    assert {expected for _, expected in CASES} == set(MODALITIES)


def test_span_defaults_do_not_matter_for_leading_cues(marked) -> None:
    """The span only extends the clause to the right; cues before it still count."""
    m = marked("The president said {he has no plans to [send] troops to the region}.")
    assert detect_modality(m.sentence, m.trigger, m.span) == "negated"
    assert detect_modality(m.sentence, m.trigger, m.trigger) == "negated"


def test_trigger_outside_sentence_is_an_error(marked) -> None:
    m = marked("Japan [sent] troops.")
    with pytest.raises(ValueError):
        detect_modality(m.sentence, (2, 9), (0, 9))


def test_a_trigger_that_only_urges_is_possible():
    """The guidelines: "urged to leave" is possible, "ordered to leave" asserted."""
    from eventx.api import Extractor

    extractor = Extractor(merge_mentions=False)
    urged = extractor.extract("Residents of the valley were urged to leave their homes on Tuesday.")
    ordered = extractor.extract("Residents of the valley were ordered to leave their homes on Tuesday.")
    assert [(e["type"], e["modality"]) for e in urged] == [("evacuation_order", "possible")]
    assert [(e["type"], e["modality"]) for e in ordered] == [("evacuation_order", "asserted")]
