from store.services import Services


def test_rep_creates_and_moves_a_deal(services: Services) -> None:
    rep = services.users.get_or_create("U1", name="Ana Rep")
    services.accounts.create(rep.id, "Acme")
    opp = services.opportunities.create(rep.id, "Renewal", account="acme", amount=1200)
    moved = services.opportunities.advance(rep.id, opp.id)
    assert moved.stage.name == "Needs Analysis"
    assert [h.to_stage for h in services.opportunities.history(rep.id, opp.id)] == [
        "Prospecting", "Needs Analysis"]
