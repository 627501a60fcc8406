"""Fixed word lists the generator draws from (names, places, catalogue, review text).

Text deliberately includes quotes, commas, apostrophes, emoji, SQL-looking text
and newlines: the platform must keep them verbatim. Only "\\n" is used as a
line break inside values, so physical line numbers are unambiguous.
"""

from __future__ import annotations

FIRST_NAMES = (
    "Anna", "Lukas", "Marie", "Jonas", "Léa", "Mateo", "Zoë", "Noah", "Sofia", "Elias",
    "Chloé", "Finn", "Amélie", "Liam", "Emma", "Björn", "Ines", "Jakub", "Aoife", "Luca",
    "Hannah", "Oskar", "Mia", "Pablo", "Giulia", "Tomás", "Nina", "Felix", "Sara", "Ömer",
)
LAST_NAMES = (
    "Müller", "Schmidt", "Dubois", "O'Brien", "García", "Rossi", "Novák", "Jansen",
    "Fischer", "Martin", "Kowalski", "Ferreira", "Weber", "Bernard", "Murphy", "De Vries",
    "Lefèvre", "Smith, Jr.", "Nowak", "Bianchi", "Peeters", "Wagner", "López", "Dupont",
)
EMAIL_DOMAINS = ("example.com", "example.org", "example.net", "mail.example.com")

# country -> ((region, city), ...)
PLACES: dict[str, tuple[tuple[str, str], ...]] = {
    "DE": (("Berlin", "Berlin"), ("Bavaria", "München"), ("Hamburg", "Hamburg"),
           ("Hesse", "Frankfurt am Main"), ("Saxony", "Leipzig")),
    "FR": (("Île-de-France", "Paris"), ("Auvergne-Rhône-Alpes", "Lyon"),
           ("Occitanie", "Toulouse"), ("Provence-Alpes-Côte d'Azur", "Marseille")),
    "NL": (("North Holland", "Amsterdam"), ("South Holland", "Rotterdam"),
           ("Utrecht", "Utrecht")),
    "ES": (("Madrid", "Madrid"), ("Catalonia", "Barcelona"), ("Andalusia", "Sevilla")),
    "IT": (("Lombardy", "Milano"), ("Lazio", "Roma"), ("Piedmont", "Torino")),
    "AT": (("Vienna", "Wien"), ("Styria", "Graz")),
    "BE": (("Brussels", "Bruxelles"), ("Flanders", "Antwerpen")),
    "IE": (("Leinster", "Dublin"), ("Munster", "Cork")),
    "PL": (("Masovia", "Warszawa"), ("Lesser Poland", "Kraków")),
}
COUNTRY_WEIGHTS = (("DE", 30), ("FR", 20), ("NL", 10), ("ES", 10), ("IT", 10),
                   ("AT", 6), ("BE", 5), ("IE", 4), ("PL", 5))

# category -> (subcategories, brands, (min list price, max list price), cost ratio range)
CATEGORIES: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[int, int],
                            tuple[float, float]]] = {
    "Electronics": (("Headphones", "Chargers", "Smart Home", "Cameras"),
                    ("Voltara", "Sonique", "Pixelon", "Ampere & Co"), (15, 600), (0.55, 0.80)),
    "Home & Kitchen": (("Cookware", "Coffee", "Storage", "Lighting"),
                       ("Casa Nova", "Kettleworks", "Lumen", "Hausgut"), (8, 250), (0.40, 0.65)),
    "Fashion": (("Shirts", "Shoes", "Jackets", "Accessories"),
                ("Nordwind", "Atelier 9", "Maison Brume", "Urban \"Edge\""), (12, 220),
                (0.30, 0.55)),
    "Sports & Outdoors": (("Running", "Cycling", "Camping", "Yoga"),
                          ("Peakline", "Trailhead", "Velo Sud", "Zen Flow"), (10, 400),
                          (0.45, 0.70)),
    "Beauty": (("Skincare", "Haircare", "Fragrance"),
               ("Lumière", "Aqua Pura", "Botanica"), (5, 120), (0.25, 0.50)),
    "Books & Media": (("Fiction", "Cookbooks", "Board Games", "Vinyl"),
                      ("Paperleaf", "Spinwell", "Meeple House"), (6, 80), (0.50, 0.75)),
}
CATEGORY_WEIGHTS = (("Electronics", 18), ("Home & Kitchen", 20), ("Fashion", 22),
                    ("Sports & Outdoors", 14), ("Beauty", 13), ("Books & Media", 13))

PRODUCT_ADJECTIVES = ("Classic", "Pro", "Ultra", "Compact", "Eco", "Deluxe", "Mini",
                      "Essential", "Signature", "Travel", "Smart", "Vintage")
PRODUCT_SUFFIXES = ("", " 2.0", " XL", " (2-pack)", " — limited edition", " \"Original\"",
                    ", matte", " 🌿")

REVIEW_TITLES = {
    5: ("Love it!", "Perfect 😍", "Exactly as described", "Best purchase this year",
        "Five stars, would buy again"),
    4: ("Very good", "Nice, small flaws", "Good value", "Happy with it 👍"),
    3: ("OK", "Does the job", "Average, \"meh\"", "It's fine, I guess"),
    2: ("Disappointing", "Not great", "Expected more"),
    1: ("Broke after a week", "Do not buy!", "Terrible 😡", "Refund please"),
}
REVIEW_BODIES = (
    "Arrived quickly and works well.",
    "Quality is fine, packaging was damaged though.",
    "My \"new favourite\", honestly.",
    "Used it every day for two weeks.\nStill going strong.",
    "Size runs small, order one up; otherwise great.",
    "Colour differs from the photo,\nbut I kept it.",
    "Robert'); DROP TABLE reviews;-- just kidding, it's good.",
    "Works, but the manual is only in Swedish 🇸🇪",
    "Second one I bought. Gift for my mum, she loves it ❤️",
    "Meh.",
    "Line one\nline two\nline three: multi-line reviews happen.",
    "Price/quality OK; shipping 3 days, 100% recommended",
)

CAMPAIGN_THEMES = ("Winter Sale", "Spring Refresh", "Flash Friday", "Payday Deals",
                   "Back to School", "Summer Clearance", "Cyber Week", "Members' Weekend",
                   "Outdoor Days", "Beauty \"Glow\" Week", "Home Makeover", "Gamer's Month")
CAMPAIGN_CHANNELS = ("email", "social", "search", "display", "affiliate")
UTM_BY_CHANNEL = {
    "email": ("newsletter", "email"),
    "social": ("instagram", "social"),
    "search": ("google", "cpc"),
    "display": ("gdn", "display"),
    "affiliate": ("partner-blog", "affiliate"),
}
SITE = "https://shop.example.com"
REFERRERS = ("https://www.google.com/", "https://www.bing.com/", "https://duckduckgo.com/",
             "https://www.instagram.com/", "android-app://com.example.shop")
PAGES = ("/", "/sale", "/new-arrivals", "/search?q=gift", "/category/home",
         "/category/fashion", "/account", "/help/shipping", "/wishlist")
