"""Generated negatives for the math classifier: non-math text full of numbers.

Varied templates (news, recipes, sports, travel, tech, history, finance, weather, shopping, health,
elections, schools, code, schedules, real estate, entertainment) are filled with names, prices, dates,
scores, percentages and code, so "has numbers" or "has ``$``" is not what the model learns. Each domain's
templates are split, seeded, into training and held-out templates, so the held-out negatives come from
sentences the training never saw.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Callable

__all__ = ["generate_negatives", "stable_fraction", "template_split"]


def _alts(words: str) -> list[str]:
    return words.split("|")


_FIRST = _alts(
    "James|Maria|Wei|Aisha|Lucas|Sofia|Omar|Hannah|Diego|Priya|Liam|Yuki|Noah|Chloe|Mateo|Fatima|Ethan|"
    "Elena|Kwame|Ingrid|Rafael|Mei|Tom|Grace|Arjun|Zoe|Samuel|Leila|Hugo|Nora"
)
_LAST = _alts(
    "Smith|Garcia|Chen|Okafor|Müller|Rossi|Kim|Patel|Johnson|Silva|Nakamura|Brown|Novak|Haddad|Larsen|"
    "Dubois|Moreno|Walsh|Ivanova|Mensah|Kowalski|Tanaka|Reyes|Fischer|Costa|Bianchi|Adeyemi|Lindqvist|Park|Ortiz"
)
_CITY = _alts(
    "Chicago|Lisbon|Nairobi|Osaka|Denver|Lyon|Melbourne|Toronto|Seville|Krakow|Austin|Manchester|Hamburg|"
    "Bogotá|Mumbai|Vancouver|Naples|Dublin|Porto|Seattle|Marseille|Auckland|Boston|Valencia|Glasgow|Phoenix|"
    "Leeds|Bordeaux|Atlanta|Bruges"
)
_COUNTRY = _alts(
    "Portugal|Kenya|Japan|Canada|Chile|Norway|Vietnam|Morocco|Peru|Ireland|Greece|Mexico|Poland|Ghana|"
    "Thailand|Iceland|Argentina|Croatia|Scotland|Indonesia"
)
_TEAM = _alts(
    "Tigers|Falcons|Rovers|United|Hawks|Sharks|Wolves|Rangers|Pirates|Giants|Comets|Lions|Storm|Royals|"
    "Thunder|Eagles|Dynamo|Athletic|Wanderers|Bulls"
)
_COMPANY = _alts(
    "Northwind|Acme|Globex|Initech|Vandelay|Umbrella|Stark|Wayne|Tyrell|Cyberdyne|Hooli|Pied Piper|Soylent|"
    "Monarch|Aperture|Oscorp|Gringotts|Dunder|Vehement|Massive"
)
_PRODUCT = _alts(
    "laptop|smartwatch|blender|headphones|e-bike|air fryer|espresso machine|tablet|robot vacuum|"
    "gaming console|drone|camera|smart speaker|electric toothbrush|standing desk"
)
_DISH = _alts(
    "lemon chicken|banana bread|mushroom risotto|vegetable curry|apple crumble|beef chili|pad thai|shakshuka|"
    "pumpkin soup|chocolate brownies|garlic shrimp|lentil stew|focaccia|carrot cake|tomato galette"
)
_INGREDIENT = _alts(
    "all-purpose flour|brown sugar|unsalted butter|whole milk|baking soda|olive oil|garlic cloves|"
    "chicken stock|grated parmesan|rolled oats|honey|Greek yogurt|cherry tomatoes|fresh basil|ground cumin|"
    "coconut milk|jasmine rice|lemon juice|dark chocolate|vanilla extract|sea salt|red onion|smoked paprika|"
    "heavy cream|eggs"
)
_UNIT = _alts("cups|cup|tablespoons|tbsp|teaspoons|tsp|grams|g|ounces|oz|ml|pounds|lb|cloves|pinch")
_MONTH = _alts("January|February|March|April|May|June|July|August|September|October|November|December")
_DAY = _alts("Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday")
_TOPIC = _alts(
    "housing costs|public transport|the new stadium|water rationing|school lunches|the heat wave|"
    "road repairs|the library budget|bike lanes|the port expansion|airport noise|the music festival|"
    "rent control|the flood defences|broadband coverage"
)
_LANG = _alts("Python|Go|Rust|JavaScript|Kotlin|TypeScript|Ruby|Java|Swift|C#")
_TOOL = _alts("Docker|Kubernetes|PostgreSQL|Redis|nginx|Terraform|React|Django|Kafka|Git|Ansible|Grafana")
_ERA = _alts(
    "the Roman Empire|the Ming dynasty|the Hanseatic League|the Ottoman court|the Inca road network|"
    "medieval Venice|the Meiji era|the Mughal Empire|Viking Age Scandinavia|the Byzantine navy|"
    "colonial Boston|the Weimar Republic"
)
_SPORT_VERB = _alts("beat|edged|crushed|outlasted|stunned|held off|routed|overcame")


def _price(r: random.Random) -> str:
    cur = r.choice(["$", "$", "€", "£", "$"])
    if r.random() < 0.5:
        return f"{cur}{r.randint(1, 300)}.{r.choice(['99', '49', '00', '95', '50'])}"
    return f"{cur}{r.randint(5, 2500):,}"


def _big_money(r: random.Random) -> str:
    return (
        f"{r.choice(['$', '€', '£'])}{r.randint(1, 99)}.{r.randint(0, 9)} {r.choice(['million', 'billion'])}"
    )


def _date(r: random.Random) -> str:
    m, d, y = r.choice(_MONTH), r.randint(1, 28), r.randint(1995, 2025)
    return r.choice([f"{m} {d}, {y}", f"{d} {m} {y}", f"{y}-{_MONTH.index(m) + 1:02d}-{d:02d}", f"{m} {d}"])


def _time(r: random.Random) -> str:
    h, m = r.randint(1, 12), r.choice(["00", "15", "30", "45", "05", "50"])
    return r.choice([f"{h}:{m} {r.choice(['a.m.', 'p.m.', 'am', 'pm'])}", f"{r.randint(6, 23):02d}:{m}"])


def _qty(r: random.Random) -> str:
    return r.choice(
        [
            f"{r.randint(1, 4)} {r.choice(['1/2', '1/4', '3/4', '1/3'])}",
            f"{r.choice(['1/2', '1/4', '3/4', '2/3'])}",
            str(r.randint(1, 6)),
            str(r.choice([50, 100, 125, 200, 250, 400, 500])),
        ]
    )


_SLOTS: dict[str, Callable[[random.Random], str]] = {
    "name": lambda r: f"{r.choice(_FIRST)} {r.choice(_LAST)}",
    "first": lambda r: r.choice(_FIRST),
    "last": lambda r: r.choice(_LAST),
    "city": lambda r: r.choice(_CITY),
    "country": lambda r: r.choice(_COUNTRY),
    "team": lambda r: f"{r.choice(_CITY)} {r.choice(_TEAM)}",
    "company": lambda r: r.choice(_COMPANY),
    "product": lambda r: r.choice(_PRODUCT),
    "dish": lambda r: r.choice(_DISH),
    "ing": lambda r: r.choice(_INGREDIENT),
    "unit": lambda r: r.choice(_UNIT),
    "qty": _qty,
    "month": lambda r: r.choice(_MONTH),
    "day": lambda r: r.choice(_DAY),
    "topic": lambda r: r.choice(_TOPIC),
    "lang": lambda r: r.choice(_LANG),
    "tool": lambda r: r.choice(_TOOL),
    "era": lambda r: r.choice(_ERA),
    "verb": lambda r: r.choice(_SPORT_VERB),
    "d": lambda r: str(r.randint(2, 9)),
    "dd": lambda r: str(r.randint(10, 99)),
    "ddd": lambda r: str(r.randint(100, 999)),
    "big": lambda r: f"{r.randint(1_000, 250_000):,}",
    "year": lambda r: str(r.randint(1450, 2025)),
    "ryear": lambda r: str(r.randint(1995, 2025)),
    "pct": lambda r: f"{r.randint(1, 95)}{r.choice(['', '.5', '.2', '.8'])}%",
    "price": _price,
    "money": _big_money,
    "date": _date,
    "time": _time,
    "score": lambda r: f"{r.randint(85, 130)}-{r.randint(80, 125)}",
    "goals": lambda r: f"{r.randint(0, 5)}-{r.randint(0, 4)}",
    "runs": lambda r: f"{r.randint(0, 12)}-{r.randint(0, 11)}",
    "dur": lambda r: f"{r.randint(1, 3)}:{r.randint(0, 59):02d}:{r.randint(0, 59):02d}",
    "temp": lambda r: r.choice(
        [f"{r.randint(320, 450)}°F", f"{r.randint(160, 230)}°C", f"{r.randint(-5, 38)}°C"]
    ),
    "version": lambda r: f"{r.randint(1, 19)}.{r.randint(0, 30)}.{r.randint(0, 12)}",
    "inch": lambda r: f"{r.randint(5, 16)}.{r.randint(0, 9)}-inch",
    "gb": lambda r: f"{r.choice([4, 8, 12, 16, 32, 64, 128, 256, 512])}GB",
    "stars": lambda r: f"{r.randint(2, 4)}.{r.randint(0, 9)} out of 5",
    "phone": lambda r: f"({r.randint(200, 989)}) {r.randint(200, 989)}-{r.randint(1000, 9999)}",
    "addr": lambda r: (
        f"{r.randint(1, 2400)} {r.choice(_LAST)} {r.choice(['Street', 'Avenue', 'Road', 'Lane', 'Blvd'])}"
    ),
    "km": lambda r: f"{r.randint(2, 900)} {r.choice(['km', 'miles', 'kilometres'])}",
    "rank": lambda r: f"No. {r.randint(1, 25)}",
    "var": lambda r: r.choice(
        ["total", "count", "price", "user_id", "items", "result", "idx", "buf", "cfg", "rows"]
    ),
    "port": lambda r: str(r.choice([80, 443, 3000, 5432, 6379, 8000, 8080, 9090])),
}

# Sentence templates per domain. Held-out generated negatives use only templates the training never saw.
_DOMAINS: dict[str, list[str]] = {
    "sports": [
        "The {team} {verb} the {team} {score} on {day} night, with {name} scoring {dd} points and grabbing {d} rebounds.",
        "{name} converted a penalty in the {dd}th minute as {team} won {goals} at home in front of {big} fans.",
        "The {team} are now {dd}-{dd} on the season and sit {d} games behind the division leaders.",
        "{name} finished the marathon in {dur}, a course record, while {name} was second in {dur}.",
        "After a {runs} loss in the opener, the {team} bounced back behind {d} scoreless innings from {name}.",
        "Coach {last} said the team had to tighten up defensively after conceding {d} goals in the last two matches.",
        "{name}, ranked {rank} in the world, won the final {d}-{d}, {d}-{d} in just over {d} hours.",
        "Tickets for the derby on {date} start at {price}, and the club expects a crowd of about {big}.",
        "{name} is batting .{ddd} with {dd} home runs and {dd} RBIs through {dd} games this year.",
        "The transfer fee of {money} makes {name} the most expensive signing in the history of the {team}.",
    ],
    "recipe": [
        "Preheat the oven to {temp} and line a {d}-by-{dd}-inch pan with parchment paper.",
        "In a large bowl, whisk together {qty} {unit} {ing}, {qty} {unit} {ing} and a pinch of salt.",
        "Add {qty} {unit} {ing} and stir until just combined; do not overmix.",
        "Bake for {dd} to {dd} minutes, or until golden and a toothpick inserted in the centre comes out clean.",
        "This {dish} serves {d} and keeps for up to {d} days in the fridge.",
        "Simmer the sauce over low heat for {dd} minutes, stirring occasionally, then season with {ing}.",
        "Ingredients: {qty} {unit} {ing}; {qty} {unit} {ing}; {qty} {unit} {ing}; {d} {ing}.",
        "My grandmother made this {dish} every {month}, and it still tastes like home.",
        "Prep time: {dd} minutes. Cook time: {dd} minutes. Calories per serving: {ddd}.",
        "If you don't have {ing}, you can swap in {qty} {unit} {ing} without changing the bake time.",
    ],
    "travel": [
        "Flights from {city} to {city} start at {price} return if you book before {date}.",
        "The old town of {city} is best explored on foot; most sights are within {km} of the cathedral.",
        "The museum is open {time} to {time} every day except {day}, and entry costs {price}.",
        "We spent {d} nights in {country} and drove roughly {km} along the coast.",
        "A double room at the harbour hotel costs about {price} a night in high season, breakfast included.",
        "Take bus {dd} from the central station; the ride takes {dd} minutes and a ticket is {price}.",
        "In {month} the average high in {city} is {temp}, so pack a light jacket for the evenings.",
        "The ferry to the islands leaves at {time} and returns at {time}; arrive {dd} minutes early.",
        "Our guide, {first}, has been leading tours in {country} since {ryear} and speaks {d} languages.",
    ],
    "tech": [
        "The {company} {product} has a {inch} display, {gb} of RAM and starts at {price}.",
        "Version {version} of {tool} fixes {dd} bugs and drops support for {lang} {version}.",
        "{company} reported {money} in quarterly revenue, up {pct} from a year earlier.",
        "The update rolls out on {date} to devices released after {ryear}.",
        "In our tests the battery lasted {dd} hours {dd} minutes of video playback, about {pct} longer than last year's model.",
        "{name}, the company's chief technology officer, said the outage affected {pct} of users for {dd} minutes.",
        "The startup raised {money} in a Series B round led by {company} Ventures.",
        "Benchmarks show the new chip running {pct} faster in single-core tasks while drawing {dd} watts.",
        "Pre-orders open {day} at {time}; the {gb} model costs {price} and ships in {month}.",
    ],
    "finance": [
        "Shares of {company} rose {pct} to {price} in early trading after the earnings beat.",
        "The central bank held its benchmark rate at {pct}, citing inflation that remains above target.",
        "Mortgage rates climbed to {pct} this week, the highest level since {ryear}.",
        "The fund returned {pct} last year, compared with {pct} for its benchmark index.",
        "{company} will cut {big} jobs, or {pct} of its workforce, by the end of {month}.",
        "Analysts expect earnings of {price} per share on revenue of {money}.",
        "Savings accounts at online banks now pay up to {pct} a year on balances over {price}.",
        "The deal values {company} at {money}, a premium of {pct} over Friday's closing price.",
    ],
    "news": [
        "The city council voted {dd}-{d} on {day} to approve a {money} plan for {topic}.",
        "Police said {d} people were taken to hospital after the crash on {addr} at about {time}.",
        "About {big} residents signed the petition about {topic}, organisers said.",
        "The mayor, {name}, said the work would start in {month} and take about {dd} months.",
        "Officials in {city} said {pct} of households were still without power on {day} evening.",
        "The trial is expected to last {d} weeks, and {dd} witnesses are scheduled to testify.",
        "Residents can comment on the proposal until {date} by calling {phone}.",
        "The report, published on {date}, found that complaints about {topic} had risen {pct} since {ryear}.",
        "{name}, {dd}, who has lived on the street for {dd} years, said the neighbourhood had changed a lot.",
    ],
    "history": [
        "In {year}, the court of {era} sent an embassy of {ddd} people on a journey of {km}.",
        "The war lasted from {year} to {year} and reshaped the borders of {country}.",
        "Construction of the cathedral began in {year} and was not finished until {year}.",
        "Historians estimate that the city of {city} had about {big} inhabitants by {year}.",
        "The treaty signed on {date} ended {dd} years of conflict between the two kingdoms.",
        "Trade networks of {era} carried silk, salt and silver across {km} of desert and sea.",
        "{name}'s diary, discovered in an attic in {ryear}, describes the winter of {year} in vivid detail.",
        "By {year} the empire's army numbered roughly {big} soldiers, spread across {dd} provinces.",
        "The archive holds {big} letters written between {year} and {year}.",
    ],
    "weather": [
        "Expect a high of {temp} and a low of {temp} on {day}, with a {pct} chance of rain.",
        "Winds from the northwest at {dd} to {dd} mph will ease by {time}.",
        "{city} recorded {dd} millimetres of rain in {d} hours, the wettest {month} day since {year}.",
        "A frost warning is in effect from {time} until {time} for areas north of {city}.",
        "The heat index could reach {temp} by mid-afternoon; stay hydrated and check on neighbours.",
        "Snowfall totals of {d} to {dd} inches are likely above {big} feet.",
        "Humidity will stay near {pct} through the weekend before a cold front arrives on {day}.",
    ],
    "shopping": [
        "The {company} {product} is on sale for {price}, down from {price}, through {date}.",
        "Customers rate it {stars} stars across {big} reviews; most complaints are about the cable length.",
        "Free shipping on orders over {price}; returns accepted within {dd} days.",
        "Use code SAVE{dd} at checkout to take {pct} off your first order.",
        "Only {d} left in stock — order in the next {d} hours to get it by {day}.",
        "I bought the {product} in {month} and after {d} months it still works like new.",
        "Bundle the {product} with a {product} and save {price}.",
        "Dimensions: {dd} x {dd} x {d} cm; weight: {d}.{d} kg; warranty: {d} years.",
    ],
    "health": [
        "Aim for at least {ddd} minutes of moderate exercise a week, spread over {d} or more days.",
        "Drinking {d} glasses of water a day and sleeping {d} hours can make a noticeable difference.",
        "The study followed {big} adults for {dd} years and found a {pct} lower risk of heart disease.",
        "Take {dd} milligrams twice a day with food, and do not exceed {d} doses in {dd} hours.",
        "Dr. {last} recommends a {dd}-minute walk after dinner for patients with high blood sugar.",
        "The clinic on {addr} offers free flu shots from {time} to {time} on {day}s.",
        "Our {d}-week plan mixes {dd}-minute strength sessions with {d} rest days.",
        "Vaccination rates among children in {country} fell to {pct} in {ryear}, health officials said.",
    ],
    "elections": [
        "{name} won the seat with {pct} of the vote, or {big} ballots, against {pct} for {name}.",
        "Turnout reached {pct}, the highest in a midterm since {year}.",
        "Polls open at {time} and close at {time}; voters need photo ID at {d} locations in {city}.",
        "The recount in District {dd} narrowed the margin to {ddd} votes.",
        "The party holds {ddd} of the {ddd} seats after gaining {dd} in the election.",
        "{name} has raised {money} since announcing the campaign on {date}.",
        "A survey of {big} likely voters has a margin of error of plus or minus {d} points.",
    ],
    "school": [
        "The school board approved a new math curriculum for grades {d} through {d}, which starts in {month}.",
        "Enrollment at {city} High rose to {big} students, and the district is hiring {dd} teachers.",
        "Students who took the state test scored {pct} higher in reading and {pct} higher in math than in {ryear}.",
        "The district's {money} budget includes raises of {pct} for teachers and counsellors.",
        "{name}, a {dd}-year-old junior, won the regional science fair with a project on river pollution.",
        "Registration for summer camp opens {date}; the fee is {price} per week, and {dd} scholarships are available.",
        "The university admitted {big} applicants this year, an acceptance rate of {pct}.",
        "Math teacher {name} was named teacher of the year after {dd} years in the classroom.",
    ],
    "code": [
        "for {var} in range({dd}):\n    {var} += {var}[i]\nprint({var})",
        "const {var} = await fetch(`/api/v{d}/orders?limit={dd}`).then(r => r.json());",
        "SELECT name, price FROM products WHERE price > {dd} ORDER BY price DESC LIMIT {dd};",
        "docker run -d -p {port}:{port} --name web -e WORKERS={d} {tool}:{version}",
        "if {var} == None:\n    {var} = {{'retries': {d}, 'timeout': {dd}}}",
        "git commit -m 'bump version to {version}' && git push origin main",
        "server {{\n    listen {port};\n    client_max_body_size {dd}m;\n}}",
        "The build fails on {lang} {version} with exit code {d}; pinning {tool} to {version} fixed it for me.",
        "{var} = [x for x in {var} if x.status != {ddd}]\nlogger.info('kept %d rows', len({var}))",
        "replicas: {d}\nresources:\n  limits:\n    memory: {ddd}Mi\n    cpu: {ddd}m",
        "def get_{var}(order):\n    subtotal = sum(line.price * line.qty for line in order.lines)\n    return round(subtotal * (1 + TAX_RATE), 2)",
        "let {var} = 0;\nfor (const row of rows) {{\n  {var} += row.amount * row.count;\n}}\nconsole.log(`total: ${{{var}}}`);",
        "UPDATE accounts SET balance = balance - {dd} WHERE id = {ddd};\nSELECT COUNT(*), AVG(total) FROM orders GROUP BY customer_id;",
        "width = max(1, int(len({var}) / {d}))\npage = {var}[offset:offset + width]\noffset += width",
        "if (retries > {d}) {{\n    delay = Math.min(delay * 2, {ddd}0);\n    return;\n}}",
        '$ curl -s localhost:{port}/metrics | grep http_requests_total\nhttp_requests_total{{code="200"}} {big}',
        "elapsed_ms = (time.time() - start) * 1000\nif elapsed_ms > {ddd}:\n    log.warning('slow request: %.1f ms', elapsed_ms)",
        'for i := 0; i < len({var}); i++ {{\n    sum += {var}[i].Size\n}}\nfmt.Printf("%d bytes\\n", sum)',
        "Bumping the pool size from {d} to {dd} cut p99 latency from {ddd} ms to {dd} ms in our load test.",
    ],
    "schedule": [
        "{day}: doors open {time}, first set {time}, headliner {time}.",
        "The {city} line runs every {dd} minutes on weekdays and every {dd} minutes on {day}s.",
        "Train {ddd} departs {city} at {time} and arrives in {city} at {time}, platform {d}.",
        "Office hours are {time}–{time}, {day} to {day}; call {phone} to book.",
        "Registration closes {date}. The conference runs {d} days, with {dd} talks and {d} workshops.",
        "Trash pickup moves to {day} for the week of {date} because of the holiday.",
        "Practice is {day} and {day} from {time} to {time} at the field on {addr}.",
    ],
    "realestate": [
        "This {d}-bedroom, {d}-bath home on {addr} is listed at {price},000 and has {big} square feet.",
        "Median rents in {city} rose {pct} over the past year to {price} a month.",
        "The condo sold for {money} after just {d} days on the market.",
        "HOA fees are {price} per month and property taxes about {price} a year.",
        "The lot is {d}.{d} acres, with a {dd}-by-{dd}-foot garage and a garden facing south.",
        "Open house {day} {time} to {time}; contact {name} at {phone}.",
    ],
    "entertainment": [
        "The film opened to {money} at the box office, beating forecasts by {pct}.",
        "{name}'s new album debuted at {rank} and was streamed {big} times in its first week.",
        "The series returns for season {d} on {date}, with {dd} episodes of about {dd} minutes each.",
        "Tickets for the {dd}-city tour go on sale {day} at {time} and start at {price}.",
        "The festival drew {big} visitors over {d} days, organisers said.",
        "Critics gave the play {stars} stars; it runs until {date} at the {last} Theatre.",
        "{name}, {dd}, plays a retired detective who moves back to {city} after {dd} years away.",
    ],
}

_HEADLINES = [
    "{city} {topic} update",
    "What to know this {day}",
    "{company} news",
    "Weekend guide: {city}",
    "Review: the {company} {product}",
    "{team} notebook",
    "Recipe of the week: {dish}",
    "Notes from {country}",
]


def join_paragraphs(sents: list[str], r: random.Random, sep: str) -> str:
    """Sentences into paragraphs of random length (a break before a sentence with probability 0.3)."""
    paras: list[list[str]] = [[]]
    for s in sents:
        if paras[-1] and r.random() < 0.3:
            paras.append([])
        paras[-1].append(s)
    return "\n\n".join(sep.join(p) for p in paras)


def _fill(template: str, r: random.Random) -> str:
    out = re.sub(r"\{(\w+)\}", lambda m: _SLOTS[m.group(1)](r), template)
    return out.replace("{{", "{").replace("}}", "}")


def stable_fraction(key: str, seed: int) -> float:
    """A number in [0, 1) fixed by ``key`` and ``seed``: seeded splits that do not depend on order."""
    h = hashlib.blake2b(f"{seed}\x00{key}".encode(), digest_size=8).digest()
    return int.from_bytes(h, "big") / 2**64


def template_split(
    domains: dict[str, list[str]], seed: int, heldout_frac: float = 0.25, prefix: str = ""
) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Per domain: (training templates, held-out templates); at least one of each per domain. The split
    is by a stable hash of ``prefix + domain/index``, so it never depends on the order of the lists."""
    train: dict[str, list[str]] = {}
    held: dict[str, list[str]] = {}
    for dom, temps in domains.items():
        order = sorted(range(len(temps)), key=lambda i: stable_fraction(f"{prefix}{dom}/{i}", seed))
        k = max(1, round(heldout_frac * len(temps)))
        held[dom] = [temps[i] for i in sorted(order[:k])]
        train[dom] = [temps[i] for i in sorted(order[k:])]
    return train, held


def generate_negatives(n: int, seed: int = 0, heldout: bool = False) -> list[str]:
    """``n`` non-math texts built from the domain templates (the training or the held-out templates).
    Each text: an optional headline, then 2–8 sentences of one domain (a few mixed with another), in one
    to three paragraphs; 150–1500 characters, full of numbers, prices, dates, scores and code."""
    train, held = template_split(_DOMAINS, seed)
    temps = held if heldout else train
    r = random.Random(f"negatives:{seed}:{heldout}")
    domains = sorted(temps)
    out: list[str] = []
    while len(out) < n:
        dom = r.choice(domains)
        k = r.randint(2, 8)
        sents = [_fill(r.choice(temps[dom]), r) for _ in range(k)]
        if r.random() < 0.2:
            other = r.choice(domains)
            sents.insert(r.randrange(len(sents) + 1), _fill(r.choice(temps[other]), r))
        text = join_paragraphs(sents, r, "\n" if dom == "code" else " ")
        if r.random() < 0.3:
            text = _fill(r.choice(_HEADLINES), r) + "\n\n" + text
        out.append(text[:1500])
    return out
