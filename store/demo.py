"""A believable demo data set: one sales team, ~30 accounts, ~60 deals across the
pipeline, contacts, contracts, products and some history.

Deterministic (seeded) so the README's examples always find the same accounts. It
goes through the same service functions as everything else, so history rows and
last-activity times are what real use would produce.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from store.db import Store
from store.models import Account, Contact, Contract, Product, Team, User
from store.money import to_minor
from store.services.accounts.accounts import name_key
from store.services.activities.activities import add_activity
from store.services.deals.changes import Change, apply_change
from store.services.deals.opportunities import create_opportunity
from store.services.deals.stages import require_stage

PEOPLE = [
    # slack id, name, email, role, time zone
    ("U0ALEX", "Alex Rivera", "alex@example.com", "rep", "America/New_York"),
    ("U0DANA", "Dana Kim", "dana@example.com", "rep", "America/Chicago"),
    ("U0FOX", "Fox Taylor", "fox@example.com", "rep", "Europe/London"),
    ("U0MORGAN", "Morgan Lee", "morgan@example.com", "manager", "America/New_York"),
    ("U0PRIYA", "Priya Shah", "priya@example.com", "admin", "America/Los_Angeles"),
    ("U0JORDAN", "Jordan Park", "jordan@example.com", "finance", "America/New_York"),
]

# The README's examples speak of these; they belong to Alex, the demo's first rep.
STORY_DEALS = [
    # account, industry, deal, stage, amount
    ("Acme", "Manufacturing", "Renewal", "Proposal/Price Review", 84000),
    ("Globex", "Energy", "Expansion", "Value Proposition", 120000),
    ("Initech", "Software", "Platform", "Needs Analysis", 56000),
    ("Hooli", "Internet", "Pilot", "Prospecting", 24000),
    ("Umbrella", "Pharma", "Security Suite", "Negotiation/Review", 150000),
    ("Wayne Enterprises", "Conglomerate", "Analytics", "Negotiation/Review", 210000),
]

OTHER_ACCOUNTS = [
    ("Stark Industries", "Aerospace"), ("Cyberdyne", "Robotics"), ("Soylent", "Food"),
    ("Tyrell", "Biotech"), ("Wonka Industries", "Food"), ("Massive Dynamic", "Research"),
    ("Vandelay Industries", "Import/Export"), ("Gringotts", "Banking"),
    ("Oscorp", "Biotech"), ("Monarch Solutions", "Consulting"), ("Dunder Mifflin", "Paper"),
    ("Pied Piper", "Software"), ("Prestige Worldwide", "Events"), ("Bluth Company", "Real Estate"),
    ("Sterling Cooper", "Advertising"), ("Nakatomi Trading", "Trading"), ("Virtucon", "Industrial"),
    ("Aperture Science", "Research"), ("Black Mesa", "Research"), ("Duff Beer", "Beverage"),
    ("Krusty Krab", "Restaurants"), ("Los Pollos Hermanos", "Restaurants"),
    ("Planet Express", "Logistics"), ("Rekall", "Travel"),
]
DEAL_NAMES = ["Expansion", "Renewal", "New Logo", "Upsell", "Pilot", "Platform", "Add-on Seats",
              "Migration", "Enterprise Upgrade", "Services"]
FIRST = ["Jane", "John", "Maria", "Omar", "Li", "Sofia", "Ken", "Aisha", "Tom", "Eva", "Raj",
         "Nina", "Luis", "Grace", "Ivan", "Zoe"]
LAST = ["Roe", "Smith", "Garcia", "Haddad", "Wei", "Rossi", "Ito", "Khan", "Brown", "Novak",
        "Patel", "Berg", "Lopez", "Hopper", "Petrov", "Adams"]
TITLES = ["CTO", "VP Sales", "Head of IT", "CFO", "Procurement Lead", "COO", "IT Director"]
PRODUCTS = [
    ("PLAT-SEAT", "Platform seat (annual)", "1200.00"),
    ("PLAT-ENT", "Platform Enterprise tier (annual)", "48000.00"),
    ("ANL-ADDON", "Analytics add-on (annual)", "9000.00"),
    ("SEC-SUITE", "Security suite (annual)", "30000.00"),
    ("SVC-ONB", "Onboarding services (fixed)", "15000.00"),
    ("SVC-TRAIN", "Training day", "2500.00"),
    ("SUP-PREM", "Premium support (annual)", "12000.00"),
]
OPEN_STAGES = ["Prospecting", "Needs Analysis", "Value Proposition", "Proposal/Price Review",
               "Negotiation/Review"]


def is_empty(store: Store) -> bool:
    with store.transaction() as s:
        return not s.scalar(select(func.count()).select_from(User))


def reset_all(store: Store) -> None:
    """Empty every table (the schema stays) and put the default stages back."""
    from store.models import Base, Stage
    from store.seed import DEFAULT_STAGES

    now = store.now()
    with store.transaction() as s:
        if store.dialect == "sqlite":
            s.execute(text("PRAGMA defer_foreign_keys=ON"))
        for table in reversed(Base.metadata.sorted_tables):
            s.execute(table.delete())
        s.execute(Stage.__table__.insert(), [
            {**stage, "is_active": True, "created_at": now, "updated_at": now}
            for stage in DEFAULT_STAGES])


def load_demo(store: Store, *, currency: str = "USD", seed: int = 42) -> dict[str, int]:
    """Fill an empty database with the demo team's book; returns counts by kind."""
    with store.transaction() as session:
        book = _DemoBook(session, random.Random(seed), store.now(), currency)
        book.add_team()
        book.add_products()
        book.add_accounts()
        book.add_contacts()
        book.add_deals()
        book.add_follow_ups()
        book.add_contracts()
    return book.counts


class _DemoBook:
    """The demo data set written step by step in one session.

    The steps draw from one seeded random generator, in the order `load_demo` calls
    them, so that the same seed always gives the same book.
    """

    def __init__(self, session: Session, rng: random.Random, now: datetime,
                 currency: str) -> None:
        self.s = session
        self.rng = rng
        self.now = now
        self.today = now.date()
        self.currency = currency
        self.people: dict[str, User] = {}
        self.accounts: list[tuple[Account, User]] = []
        self.counts = {"accounts": 0, "contacts": 0, "opportunities": 0, "contracts": 0,
                       "activities": 0}

    @property
    def reps(self) -> list[User]:
        return [self.people["U0ALEX"], self.people["U0DANA"], self.people["U0FOX"]]

    def add_team(self) -> None:
        """The six people, one team managed by Morgan, the reps reporting to Morgan."""
        s, people = self.s, self.people
        for slack_id, name, email, role, tz in PEOPLE:
            user = User(slack_user_id=slack_id, name=name, email=email, role=role, timezone=tz,
                        is_active=True)
            s.add(user)
            people[slack_id] = user
        s.flush()
        team = Team(name="North America", manager_id=people["U0MORGAN"].id)
        s.add(team)
        s.flush()
        for slack_id in ("U0ALEX", "U0DANA", "U0FOX", "U0MORGAN"):
            people[slack_id].team_id = team.id
        for slack_id in ("U0ALEX", "U0DANA", "U0FOX"):
            people[slack_id].manager_id = people["U0MORGAN"].id

    def add_products(self) -> None:
        for sku, name, price in PRODUCTS:
            self.s.add(Product(sku=sku, name=name, list_price_minor=to_minor(price, self.currency),
                               currency=self.currency, is_active=True))

    def add_accounts(self) -> None:
        """The story accounts (Alex's), then the others shared among the reps."""
        rng, reps = self.rng, self.reps
        for index, (name, industry) in enumerate(
                [(a, i) for a, i, *_ in STORY_DEALS] + OTHER_ACCOUNTS):
            owner = self.people["U0ALEX"] if index < len(STORY_DEALS) else reps[index % 3]
            account = Account(name=name, name_key=name_key(name), industry=industry,
                              domain=name.lower().replace(" ", "") + ".example",
                              employees=rng.choice([40, 120, 350, 900, 2500, 12000]),
                              owner_id=owner.id)
            self.s.add(account)
            self.accounts.append((account, owner))
        self.s.flush()
        self.counts["accounts"] = len(self.accounts)

    def add_contacts(self) -> None:
        rng = self.rng
        for account, _owner in self.accounts:
            for number in range(rng.randint(1, 2)):
                person = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
                if account.name == "Globex" and number == 0:
                    person = "Jane Roe"  # "met with Jane from Globex about the expansion"
                self.s.add(Contact(name=person, title=rng.choice(TITLES), account_id=account.id,
                                   email=f"{person.split()[0].lower()}.{account.domain}",
                                   owner_id=account.owner_id))
                self.counts["contacts"] += 1
        self.s.flush()

    def backdated(self, days: int) -> datetime:
        return self.now - timedelta(days=days, hours=self.rng.randint(0, 8))

    def deal(self, account: Account, owner: User, name: str, stage_name: str, amount: int,
             close: date) -> None:
        """One deal walked through the stages up to `stage_name`, with a few activities."""
        s, rng, now, currency = self.s, self.rng, self.now, self.currency
        created = self.backdated(rng.randint(25, 80))
        opp = create_opportunity(
            s, name=name, owner=owner, now=created, currency=currency,
            account_name=account.name, amount_minor=to_minor(amount, currency),
            close_date=close, source="system",
        )
        path = OPEN_STAGES[: OPEN_STAGES.index(stage_name) + 1] if stage_name in \
            OPEN_STAGES else [*OPEN_STAGES[: rng.randint(2, 5)], stage_name]
        when = created
        for step in path[1:]:
            when = min(now, when + timedelta(days=rng.randint(3, 12)))
            reason = "went with a competitor" if step == "Closed Lost" else None
            apply_change(s, opp, Change(stage=require_stage(s, step), lost_reason=reason,
                                        close_date=close if step.startswith("Closed")
                                        else None),
                         actor=owner, now=when, source="system")
        for _ in range(rng.randint(1, 3)):
            add_activity(s, owner=owner, kind=rng.choice(["call", "meeting", "email"]),
                         subject=rng.choice(["Discovery call", "Demo", "Pricing discussion",
                                             "Security review", "Check-in"]),
                         occurred_at=self.backdated(rng.randint(1, 20)), account=account,
                         opportunity=opp)
            self.counts["activities"] += 1
        self.counts["opportunities"] += 1

    def _account(self, name: str) -> Account:
        return next(a for a, _ in self.accounts if a.name == name)

    def add_deals(self) -> None:
        """The README's story deals for Alex, then others up to 60 in all."""
        rng, today, counts = self.rng, self.today, self.counts
        for account_name, _industry, name, stage, amount in STORY_DEALS:
            self.deal(self._account(account_name), self.people["U0ALEX"], name, stage, amount,
                      today + timedelta(days=rng.randint(10, 80)))
        others = [(a, o) for a, o in self.accounts if a.name not in {d[0] for d in STORY_DEALS}]
        used: set[tuple[int, str]] = set()
        while counts["opportunities"] < 60:
            account, owner = others[counts["opportunities"] % len(others)]
            name = rng.choice(DEAL_NAMES)
            if (account.id, name) in used:
                continue
            used.add((account.id, name))
            stage = rng.choices([*OPEN_STAGES, "Closed Won", "Closed Lost"],
                                weights=[5, 5, 5, 4, 3, 3, 2])[0]
            self.deal(account, owner, name, stage, rng.randrange(8, 240) * 1000,
                      today + timedelta(days=rng.randint(-20, 120)))

    def add_follow_ups(self) -> None:
        """Something due this week for Alex."""
        follow_ups = [("Hooli", "Send the pilot success criteria", 1),
                      ("Initech", "Check in on the security questionnaire", 2),
                      ("Wayne Enterprises", "Confirm the signature date", 3)]
        for account_name, subject, days in follow_ups:
            add_activity(self.s, owner=self.people["U0ALEX"], kind="task", subject=subject,
                         occurred_at=self.backdated(1), account=self._account(account_name),
                         follow_up_at=self.now + timedelta(days=days))
            self.counts["activities"] += 1

    def add_contracts(self) -> None:
        rng, today, currency = self.rng, self.today, self.currency
        for index, (account, owner) in enumerate(self.accounts[: 18]):
            start = today - timedelta(days=rng.randint(200, 700))
            end = today + timedelta(days=[25, 55, 85, 120, 200, 300][index % 6])
            self.s.add(Contract(account_id=account.id, name=f"{account.name} subscription",
                                value_minor=to_minor(rng.randrange(20, 250) * 1000, currency),
                                currency=currency, start_date=start, end_date=end,
                                owner_id=owner.id, status="active"))
            self.counts["contracts"] += 1
