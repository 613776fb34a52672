import pandas as pd

from geo.analysis.table_join import join_report, vintage_note
from geo.geography.geographies import available_geographies, geography_label, load_geography


def table(codes, vintage="2020-2025", period=2019):
    return pd.DataFrame({"commune_code": codes, "period": period, "vintage": vintage})


COMMUNES = pd.DataFrame(
    {"commune_code": ["04789", "04792", "vietnam63:3050105"], "vintage": "2019"}
)


def test_other_vintage_and_codes_that_do_not_join():
    tables = {"models": table(["04789", "04792", "04810"]), "ntm": table(["04789"])}
    report = join_report(COMMUNES, tables)
    assert report.layer_vintage == "2019" and report.vintage_mismatch
    assert report.codes_not_in_layer == ("04810",)
    assert report.communes_without_figures == ("04792", "vietnam63:3050105")
    models = report.tables[0]
    assert models.family == "models" and models.codes == 3
    assert models.communes_without_figures == ("vietnam63:3050105",)
    note = vintage_note(COMMUNES, tables, "en")
    assert note == (
        'Figures ("Dân vận khéo" models, New rural standard (NTM)) are keyed to the units of'
        " 2020-2025; the map shows boundaries"
        " of 2019. 1 commune codes of the tables are not on the map. 2 communes on the map"
        " have no figures."
    )
    assert "đơn vị hành chính giai đoạn 2020-2025" in vintage_note(COMMUNES, tables, "vi")


def test_all_in_order_says_nothing():
    communes = pd.DataFrame({"commune_code": ["04789"], "vintage": "2020-2025"})
    assert vintage_note(communes, {"models": table(["04789"])}) is None
    assert join_report(communes, {"models": table(["04789"])}).ok


def test_period_filter_and_tables_without_vintage():
    tables = {"land": pd.DataFrame({"commune_code": ["04789", "04999"], "period": [2019, 2020]})}
    communes = pd.DataFrame({"commune_code": ["04789"], "vintage": "2020-2025"})
    report = join_report(communes, tables, period=2019)
    assert report.ok and report.tables[0].vintages == ()
    assert join_report(communes, tables).codes_not_in_layer == ("04999",)


def test_schematic_default_is_always_offered(tmp_path):
    choices = available_geographies(tmp_path)
    choice = choices[0]  # the 2025 layers come after it (tests/geography/test_geographies.py)
    assert choice.key == "schematic:17" and choice.kind == "schematic"
    assert choice.vintage == "2020-2025" and choice.province_codes == ("17",)
    assert "vietnamadminunits" in choice.attribution
    assert geography_label(choice, "vi") == "Tỉnh Hòa Bình – sơ đồ, đơn vị hành chính 2020-2025"
    geography = load_geography(choice)
    assert geography.kind == "schematic" and len(geography.communes) == 151
    assert "vietnamadminunits" in geography.attribution
    # the demo figures belong to the schematic's vintage: nothing to say
    from geo.figures.indicators import load_demo

    assert vintage_note(geography, load_demo(), period=2019) is None
