"""The order pages: quotes, orders, and the makers' job board and job pages."""


def with_status_labels(events, statuses) -> list:
    """The timeline's events, each with ``status_label``: its status as ``statuses`` (a TextChoices) names it in
    the reader's language (the badge falls back to the API value for a status the choices do not know)."""
    labels = dict(statuses.choices)
    events = list(events)
    for event in events:
        event.status_label = labels.get(event.to_status, "")
    return events
