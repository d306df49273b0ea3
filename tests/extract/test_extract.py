"""Extraction on single sentences written for these tests (not corpus sentences).

Each row says what an analyst would record: the type, the parties in their
roles (direction matters: producer vs licensor, buyer vs seller) and the
equipment. Rows are deliberately varied in wording so that they test the
rules, not the corpus.
"""
from __future__ import annotations

import pytest

from armstrack.model import Article, Fact

PUBLISHED = "2023-06-15"


def extract(extractor, text: str, published: str | None = PUBLISHED) -> list[Fact]:
    return extractor.extract(Article("test", text, published=published))


def roles(fact: Fact) -> set[tuple[str, str]]:
    return {(p.role, p.name) for p in fact.participants}


def find(facts: list[Fact], fact_type: str, expected_roles: set[tuple[str, str]]) -> Fact:
    for f in facts:
        if f.type == fact_type and expected_roles <= roles(f):
            return f
    raise AssertionError(f"no {fact_type} with {expected_roles} in {[(f.type, roles(f)) for f in facts]}")


@pytest.mark.parametrize("text, fact_type, expected, system", [
    ("Kazakhstan will produce Turkish drones.", "licensed_production",
     {("producer", "Kazakhstan"), ("licensor", "Turkey")}, "drones"),
    ("Japan will produce F-35 fighters under license from Lockheed Martin.", "licensed_production",
     {("producer", "Japan"), ("licensor", "Lockheed Martin")}, "F-35"),
    ("Poland bought 48 K9 howitzers from South Korea.", "arms_transfer",
     {("supplier", "South Korea"), ("recipient", "Poland")}, "K9"),
    ("Indonesia will buy 42 Rafale fighter jets from France, the defence ministry said.", "arms_transfer",
     {("supplier", "France"), ("recipient", "Indonesia")}, "Rafale"),
    ("Egypt received its first Rafale jets from Dassault Aviation in 2017.", "arms_transfer",
     {("supplier", "Dassault Aviation"), ("recipient", "Egypt")}, "Rafale"),
    ("Morocco has ordered Bayraktar TB2 drones from Turkey, according to Reuters.", "arms_transfer",
     {("supplier", "Turkey"), ("recipient", "Morocco")}, "Bayraktar TB2"),
    ("Poland signed a contract with Hyundai Rotem for 180 K2 tanks in July 2022.", "arms_transfer",
     {("supplier", "Hyundai Rotem"), ("recipient", "Poland")}, "K2"),
    ("Germany donated 18 Leopard 2 tanks to Ukraine.", "aid",
     {("donor", "Germany"), ("recipient", "Ukraine")}, "Leopard 2"),
    ("India and Russia jointly produce BrahMos missiles.", "co_production",
     {("partner", "India"), ("partner", "Russia")}, "BrahMos"),
    ("The United States will train Ukrainian pilots to fly F-16 fighter jets.", "training",
     {("provider", "United States"), ("trainee", "Ukraine")}, None),
    ("Lockheed Martin will build a plant in India to produce C-130J parts.", "facility",
     {("owner", "Lockheed Martin"), ("host", "India")}, None),
    # passives: the agent ("by X") is the doer, whatever the verb
    ("The first NASAMS units donated by the United States arrived in Ukraine in November, the minister said.",
     "aid", {("donor", "United States"), ("recipient", "Ukraine")}, "NASAMS"),
    ("The drones were purchased by Poland from Turkey in 2021.", "arms_transfer",
     {("supplier", "Turkey"), ("recipient", "Poland")}, "drones"),
    ("Russia said the S-400 systems ordered by India will be delivered next year.", "arms_transfer",
     {("supplier", "Russia"), ("recipient", "India")}, "S-400"),
    ("The howitzers were delivered by South Korea to Poland in 2022.", "arms_transfer",
     {("supplier", "South Korea"), ("recipient", "Poland")}, None),
    # a parallel cue ("of its own") carries the recipient over from the fact before
    ("The United States will send a Patriot battery to Ukraine. Germany pledged a Patriot battery of its own "
     "last week, in a joint statement with the United States.", "aid",
     {("donor", "Germany"), ("recipient", "Ukraine")}, "Patriot"),
    # object control: the one contracted (or awarded the contract) builds, the one contracting receives
    ("Hyundai was contracted by Peru in 2021 to build two frigates.", "arms_transfer",
     {("supplier", "Hyundai"), ("recipient", "Peru")}, "frigates"),
    ("The Chilean Navy awarded a contract to Italy's Fincantieri to build four frigates.", "arms_transfer",
     {("supplier", "Fincantieri"), ("recipient", "Chilean Navy")}, "frigates"),
    # the maker named by a participle on the equipment supplies it; leasing and taking delivery acquire
    ("The Heron drone, developed by Israel Aerospace Industries, has been in service with the Indian Army since 2010.",
     "arms_transfer", {("supplier", "Israel Aerospace Industries"), ("recipient", "Indian Army")}, "Heron"),
    ("Peru recently began leasing Brazilian drones.", "arms_transfer",
     {("supplier", "Brazil"), ("recipient", "Peru")}, "drones"),
    ("Egypt will take delivery of 30 Rafale jets from Dassault Aviation next year.", "arms_transfer",
     {("supplier", "Dassault Aviation"), ("recipient", "Egypt")}, "Rafale"),
    # a company may sell to its own country's forces
    ("BAE Systems Hägglunds will deliver 40 CV90 vehicles to the Swedish Army in 2026.", "arms_transfer",
     {("supplier", "BAE Systems Hägglunds"), ("recipient", "Swedish Army")}, "CV90"),
    # a selection is the planned purchase of the winner from its maker, not of the losers
    ("Switzerland selected Lockheed Martin's F-35A over Boeing's F/A-18 Super Hornet and Dassault's Rafale.",
     "arms_transfer", {("supplier", "Lockheed Martin"), ("recipient", "Switzerland")}, "F-35A"),
    # a transfer written as a noun: "from" gives the supplier (here not the equipment's maker)
    ("The transfer of two used Type 056 corvettes from Pakistan to the Bangladesh Navy was completed in 2020.",
     "arms_transfer", {("supplier", "Pakistan"), ("recipient", "Bangladesh Navy")}, "Type 056"),
    # "the Gulf nation" is the country a recent sentence was about (its subject), not the last one named
    ("In France's largest export deal, Kuwait signed a contract for trucks. The Gulf nation also "
     "bought 40 Javelin missiles from Raytheon.", "arms_transfer",
     {("supplier", "Raytheon"), ("recipient", "Kuwait")}, "Javelin"),
])
def test_direction_and_equipment(extractor, text, fact_type, expected, system):
    fact = find(extract(extractor, text), fact_type, expected)
    if system:
        assert any(system.lower() in s.name.lower() for s in fact.systems), fact.systems


@pytest.mark.parametrize("text, fact_type, parties", [
    ("The Philippines signed a deal worth $375 million with India for BrahMos missiles in January 2022.",
     "agreement", {"Philippines", "India"}),
    ("Rheinmetall and Ukroboronprom established a joint venture, Rheinmetall Ukrainian Defense Industry, in 2023.",
     "joint_venture", {"Rheinmetall", "Ukroboronprom"}),
    # partnering to develop or build is co-production; "entered into" a collaboration makes its subjects partners
    ("Saab is partnering with Embraer to develop a new trainer jet.", "co_production", {"Saab", "Embraer"}),
    ("Norway and Germany entered into a collaboration on the joint development of a naval missile.",
     "co_production", {"Norway", "Germany"}),    ("Malaysia signed a letter of offer and acceptance with FNSS for 18 armoured vehicles.",
     "agreement", {"Malaysia", "FNSS"}),
])
def test_symmetric_parties(extractor, text, fact_type, parties):
    facts = [f for f in extract(extractor, text) if f.type == fact_type]
    assert facts and parties <= {p.name for p in facts[0].participants}


def test_joint_venture_names_its_company(extractor):
    text = "Rheinmetall and Ukroboronprom established a joint venture, Rheinmetall Ukrainian Defense Industry, in 2023."
    (jv,) = [f for f in extract(extractor, text) if f.type == "joint_venture"]
    assert ("venture", "Rheinmetall Ukrainian Defense Industry") in roles(jv)
    assert jv.time.start == "2023" and jv.status == "completed"


@pytest.mark.parametrize("text", [
    "Turkey and Azerbaijan held joint military exercises near Baku.",
    "Turkey sent humanitarian aid to Syria after the earthquake.",
    "The two leaders discussed the strategic partnership between their countries.",
    "Officials said the weather was fine.",
])
def test_no_fact_where_the_text_states_none(extractor, text):
    assert extract(extractor, text) == []


def test_figures_time_status_attribution(extractor):
    text = "The Philippines signed a deal worth $375 million with India for BrahMos missiles in January 2022."
    (deal,) = [f for f in extract(extractor, text) if f.type == "agreement"]
    assert deal.money is not None and deal.money.amount == 375_000_000 and deal.money.currency == "USD"
    assert deal.time.start == "2022-01" and deal.status == "completed"
    (order,) = [f for f in extract(extractor, "Morocco has ordered Bayraktar TB2 drones from Turkey, according to Reuters.")
                if f.type == "arms_transfer"]
    assert order.attributed_to == "Reuters"
    (buy,) = [f for f in extract(extractor, "Poland bought 48 K9 howitzers from South Korea.")]
    assert buy.quantity == 48


def test_planned_status_from_modality(extractor):
    (f,) = extract(extractor, "Kazakhstan may start producing Turkish drones as early as 2024.")
    assert f.status == "planned" and f.time.start == "2024"


def test_two_countries_resolve_to_the_pair(extractor):
    text = ("Turkey and Kazakhstan have cooperated on defence since 1993.\n"
            "Last year the two countries signed an agreement on military training.")
    (deal,) = [f for f in extract(extractor, text, "2023-06-15") if f.type == "agreement"]
    assert {p.name for p in deal.participants} == {"Turkey", "Kazakhstan"}


def test_list_of_recipients_gives_one_fact_each(extractor):
    text = "Bayraktar TB2 drones have been exported to Poland, Qatar and Ukraine."
    facts = [f for f in extract(extractor, text) if f.type == "arms_transfer"]
    assert {p.name for f in facts for p in f.participants if p.role == "recipient"} == {"Poland", "Qatar", "Ukraine"}


def test_evidence_span_points_at_the_evidence(extractor):
    text = "Headline about drones\n\n  Poland bought 48 K9 howitzers from South Korea.  \n"
    (fact,) = extract(extractor, text)
    start, end = fact.evidence_span
    assert text[start:end] == fact.evidence
    assert 0 < fact.confidence <= 1


def test_items_with_their_own_counts_are_separate_transfers(extractor):
    facts = extract(extractor, "Saudi Arabia will buy 130 Abrams tanks and 20 armored recovery vehicles "
                               "from General Dynamics.")
    items = sorted((f.quantity, tuple(s.name for s in f.systems)) for f in facts if f.type == "arms_transfer")
    assert items == [(20, ("recovery vehicles",)), (130, ("Abrams",))]


def test_a_count_for_one_item_does_not_split_the_list(extractor):
    facts = extract(extractor, "Poland ordered 48 K9 howitzers and K239 launchers from South Korea.")
    transfers = [f for f in facts if f.type == "arms_transfer"]
    assert len(transfers) == 1 and {s.name for s in transfers[0].systems} >= {"K9", "K239 Chunmoo"}


def test_a_dated_phrase_of_the_clause_beats_an_undated_one_inside_the_trigger(extractor):
    facts = extract(extractor, "In 2017, Norway and Germany entered into a collaboration on the joint development "
                               "of the Future Naval Strike Missile.")
    (fact,) = [f for f in facts if f.type == "co_production"]
    assert fact.time.start == "2017"


@pytest.mark.parametrize("text, start", [
    # the next sentence of the paragraph dates the same model
    ("Poland will buy K2 tanks from Hyundai Rotem. The first K2 tanks are to arrive in 2025.", "2025"),
    # a sentence about other equipment does not
    ("Poland will buy K2 tanks from Hyundai Rotem. The first F-35 jets are to arrive in 2025.", None),
])
def test_an_undated_fact_takes_the_date_of_a_neighbour_naming_its_model(extractor, text, start):
    (fact,) = [f for f in extract(extractor, text) if f.type == "arms_transfer" and
               any(s.name == "K2" or s.name.startswith("K2 ") for s in f.systems)]
    assert fact.time.start == start


def test_equipment_named_for_comparison_is_not_the_facts(extractor):
    """ "a drone similar to General Atomics' MQ-9 Reaper": neither the MQ-9 nor its maker is in the fact."""
    text = "Saudi Arabia will produce the Wing Loong II, a drone similar to General Atomics' MQ-9 Reaper, under licence from China."
    facts = [f for f in extract(extractor, text) if f.type == "licensed_production"]
    assert facts
    for f in facts:
        assert not any("MQ-9" in s.name for s in f.systems)
        assert "General Atomics" not in {p.name for p in f.participants}


def test_the_losers_of_a_selection_are_not_bought(extractor):
    text = "Switzerland selected Lockheed Martin's F-35A over Boeing's F/A-18 Super Hornet and Dassault's Rafale."
    transfers = [f for f in extract(extractor, text) if f.type == "arms_transfer"]
    assert transfers and all(f.status == "planned" for f in transfers)
    assert not {p.name for f in transfers for p in f.participants} & {"Boeing", "Dassault Aviation"}
    assert not {s.name for f in transfers for s in f.systems} & {"F/A-18 Super Hornet", "Rafale"}


def test_a_country_does_not_sell_to_itself(extractor):
    assert not [f for f in extract(extractor, "Turkey will buy 20 Turkish Bayraktar TB2 drones for its army.")
                if f.type == "arms_transfer" and {p.name for p in f.participants} == {"Turkey"}]
