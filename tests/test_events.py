from store.services import Services


def test_an_event_id_is_new_once(services: Services) -> None:
    assert services.events.first_time("Ev1") is True
    assert services.events.first_time("Ev1") is False
    assert services.events.first_time("Ev2") is True
