"""The H&M catalogue vocabulary the generator draws articles from.

Codes and names follow the Kaggle ``articles.csv`` (index codes A..J and S, the five index
groups, the 19 product groups, 21 garment groups, 30 graphical appearances, 50 colour groups,
8 perceived colour values, 20 perceived colour masters, 56 sections). Product types are the
real names with their product group; numbers are in the real range but not guaranteed to be the
real ones. Every code maps to exactly one name, as in the real file.

Besides names, each product type carries the latent facts the generator needs: how often it is
made, its shelf price level, its season, how often several units are bought, and which types
complete an outfit with it.
"""

import dataclasses

# --- index groups and index codes ------------------------------------------------------------
INDEX_GROUPS = {1: "Ladieswear", 2: "Divided", 3: "Menswear", 4: "Baby/Children", 26: "Sport"}
# position of each index group in the taste vectors
INDEX_GROUP_ORDER = (1, 2, 3, 4, 26)


@dataclasses.dataclass(frozen=True)
class Index:
    code: str
    name: str
    group_no: int
    share: float  # share of articles (real file)
    audience: str  # women | young | men | baby | kids | all
    groups: dict  # product group -> share of this index's products
    price: float  # price multiplier


_GARMENTS = {"Garment Upper body": 0.5, "Garment Lower body": 0.24, "Garment Full body": 0.2}
INDEXES = (
    Index("A", "Ladieswear", 1, 0.2464, "women",
          {**_GARMENTS, "Accessories": 0.01, "Underwear": 0.01, "Nightwear": 0.015, "Swimwear": 0.01,
           "Socks & Tights": 0.005, "Unknown": 0.003}, 1.15),
    Index("B", "Lingeries/Tights", 1, 0.0642, "women",
          {"Underwear": 0.55, "Socks & Tights": 0.18, "Nightwear": 0.12, "Swimwear": 0.11,
           "Garment Upper body": 0.025, "Underwear/nightwear": 0.008, "Cosmetic": 0.004}, 0.9),
    Index("C", "Ladies Accessories", 1, 0.0660, "women",
          {"Accessories": 0.68, "Shoes": 0.27, "Bags": 0.01, "Cosmetic": 0.005, "Items": 0.006,
           "Garment and Shoe care": 0.004, "Stationery": 0.002, "Furniture": 0.004, "Interior textile": 0.002,
           "Fun": 0.001, "Unknown": 0.004}, 1.0),
    Index("D", "Divided", 2, 0.1435, "young",
          {"Garment Upper body": 0.45, "Garment Lower body": 0.2, "Garment Full body": 0.14, "Accessories": 0.1,
           "Shoes": 0.03, "Swimwear": 0.03, "Underwear": 0.03, "Socks & Tights": 0.01, "Nightwear": 0.01,
           "Unknown": 0.003}, 0.75),
    Index("F", "Menswear", 3, 0.1189, "men",
          {"Garment Upper body": 0.55, "Garment Lower body": 0.22, "Accessories": 0.06, "Shoes": 0.05,
           "Underwear": 0.05, "Socks & Tights": 0.03, "Swimwear": 0.02, "Nightwear": 0.01,
           "Garment Full body": 0.01, "Unknown": 0.003}, 1.1),
    Index("G", "Baby Sizes 50-98", 4, 0.0841, "baby",
          {"Garment Upper body": 0.35, "Garment Lower body": 0.2, "Garment Full body": 0.3, "Accessories": 0.06,
           "Socks & Tights": 0.04, "Nightwear": 0.03, "Shoes": 0.02, "Underwear/nightwear": 0.004}, 0.6),
    Index("H", "Children Sizes 92-140", 4, 0.1138, "kids",
          {"Garment Upper body": 0.45, "Garment Lower body": 0.25, "Garment Full body": 0.15, "Underwear": 0.04,
           "Nightwear": 0.04, "Socks & Tights": 0.03, "Accessories": 0.02, "Swimwear": 0.02}, 0.65),
    Index("I", "Children Sizes 134-170", 4, 0.0873, "kids",
          {"Garment Upper body": 0.47, "Garment Lower body": 0.27, "Garment Full body": 0.12, "Underwear": 0.04,
           "Nightwear": 0.03, "Socks & Tights": 0.03, "Accessories": 0.02, "Swimwear": 0.02}, 0.75),
    Index("J", "Children Accessories, Swimwear", 4, 0.0437, "kids",
          {"Accessories": 0.45, "Swimwear": 0.2, "Shoes": 0.25, "Socks & Tights": 0.05, "Bags": 0.01,
           "Items": 0.01, "Fun": 0.005, "Interior textile": 0.005}, 0.6),
    Index("S", "Sport", 26, 0.0321, "all",
          {"Garment Upper body": 0.5, "Garment Lower body": 0.3, "Garment Full body": 0.03, "Accessories": 0.08,
           "Shoes": 0.02, "Underwear": 0.05, "Socks & Tights": 0.02}, 1.0),
)

# --- sections (index code -> sections, each (section_no, name, weight)) ------------------------
SECTIONS = {
    "A": ((16, "Womens Everyday Basics", 3), (15, "Womens Everyday Collection", 4), (11, "Womens Tailoring", 3),
          (18, "Womens Trend", 3), (6, "Womens Casual", 2), (2, "H&M+", 1), (3, "Collaborations", 0.6),
          (14, "Mama", 0.8), (17, "Womens Premium", 1), (5, "Special Collections", 0.5), (8, "Ladies Other", 0.3)),
    "B": ((61, "Womens Lingerie", 4), (62, "Womens Nightwear, Socks & Tigh", 2),
          (60, "Womens Swimwear, beachwear", 1.2)),
    "C": ((65, "Womens Big accessories", 2), (66, "Womens Small accessories", 3), (64, "Womens Shoes", 2),
          (63, "Womens Jewellery", 1)),
    "D": ((53, "Divided Collection", 4), (52, "Divided Basics", 2), (50, "Divided Projects", 1),
          (51, "Divided Accessories", 1.5), (56, "Divided Selected", 1), (57, "Divided Complements Other", 0.5), (54, "EQ Divided", 0.3),
          (55, "Ladies Denim", 1)),
    "F": ((21, "Contemporary Casual", 2), (20, "Contemporary Smart", 2), (22, "Contemporary Street", 2),
          (25, "Men Underwear", 1), (26, "Men Suits & Tailoring", 1), (23, "Men Accessories", 1),
          (27, "Men Shoes", 0.6), (29, "Men Project", 0.5), (28, "Men Edition", 0.4), (31, "Mens Outerwear", 0.7),
          (30, "Denim Men", 1), (24, "Men Other", 0.3)),
    "G": ((41, "Baby Essentials & Complements", 2), (42, "Baby Boy", 2), (43, "Baby Girl", 2)),
    "H": ((44, "Kids Girl", 3), (45, "Kids Boy", 3), (46, "Kids Outerwear", 0.8), (47, "Kids Sports", 0.5),
          (48, "Girls Underwear & Basics", 0.8), (49, "Boys Underwear & Basics", 0.7)),
    "I": ((76, "Young Girl", 3), (77, "Young Boy", 2.5), (78, "Kids Local Relevance", 0.3),
          (79, "Young Girl Denim", 0.6)),
    "J": ((80, "Kids Accessories, Swimwear & D", 2), (81, "Kids & Baby Shoes", 1)),
    "S": ((97, "Ladies H&M Sport", 2), (96, "Men H&M Sport", 1), (95, "Sport Accessories", 0.5)),
}

# --- garment groups ---------------------------------------------------------------------------
GARMENT_GROUPS = {
    1001: "Unknown", 1002: "Jersey Basic", 1003: "Knitwear", 1005: "Jersey Fancy",
    1006: "Woven/Jersey/Knitted mix Baby", 1007: "Outdoor", 1008: "Dressed", 1009: "Trousers",
    1010: "Blouses", 1011: "Shorts", 1012: "Skirt", 1013: "Dresses Ladies", 1014: "Accessories",
    1016: "Trousers Denim", 1017: "Under-, Nightwear", 1018: "Swimwear", 1019: "Socks and Tights",
    1020: "Shoes", 1021: "Special Offers", 1023: "Dresses/Skirts girls", 1025: "Shirts",
}


# --- product types ------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class ProductType:
    no: int
    name: str
    group: str
    weight: float  # relative number of products within its product group
    price: float  # typical shelf price (currency units, before the /590 scaling)
    garment: tuple  # garment group numbers it is filed under (first is the usual one)
    season: str = ""  # "" | summer | winter | spring | autumn
    audience: str = "all"  # which index audiences may carry it: all | women | kids | baby | kids+baby
    units: float = 0.06  # chance that an item of this type is bought in several units
    complements: tuple = ()  # product type names that complete an outfit with it
    noun: str = ""  # word used in product names and descriptions


def _t(no, name, group, weight, price, garment, **kw):
    return ProductType(no, name, group, weight, price, tuple(garment), **kw)


U, L, FB = "Garment Upper body", "Garment Lower body", "Garment Full body"
_BOTTOMS = ("Trousers", "Shorts", "Skirt", "Leggings/Tights")
_TOPS = ("T-shirt", "Top", "Blouse", "Shirt", "Vest top", "Sweater")
PRODUCT_TYPES = (
    # Garment Upper body
    _t(253, "Vest top", U, 2991, 9.99, (1002, 1005), season="summer", units=0.1, complements=_BOTTOMS, noun="vest top"),
    _t(255, "T-shirt", U, 7904, 9.99, (1002, 1005, 1006), units=0.12, complements=_BOTTOMS, noun="T-shirt"),
    _t(254, "Top", U, 4155, 14.99, (1005, 1002, 1006), complements=_BOTTOMS, noun="top"),
    _t(252, "Sweater", U, 9302, 24.99, (1003, 1005, 1006), season="winter", complements=_BOTTOMS, noun="sweater"),
    _t(258, "Blouse", U, 3979, 24.99, (1010,), complements=("Trousers", "Skirt", "Shorts"), noun="blouse"),
    _t(259, "Shirt", U, 3405, 24.99, (1025, 1010), complements=("Trousers", "Shorts"), noun="shirt"),
    _t(245, "Hoodie", U, 2356, 24.99, (1005, 1002), season="autumn", complements=("Trousers", "Shorts"), noun="hoodie"),
    _t(267, "Cardigan", U, 1550, 24.99, (1003,), season="autumn", complements=_TOPS, noun="cardigan"),
    _t(264, "Jacket", U, 3940, 39.99, (1007, 1008), season="autumn", complements=("Trousers",), noun="jacket"),
    _t(262, "Coat", U, 460, 59.99, (1007,), season="winter", noun="coat"),
    _t(301, "Blazer", U, 1110, 39.99, (1008,), complements=("Trousers", "Skirt"), noun="blazer"),
    _t(257, "Polo shirt", U, 449, 14.99, (1002, 1005), season="summer", complements=("Shorts",), noun="polo shirt"),
    _t(256, "Bodysuit", U, 913, 12.99, (1005, 1006), units=0.15, complements=("Trousers", "Skirt"), noun="body"),
    _t(260, "Tailored Waistcoat", U, 73, 29.99, (1008,), complements=("Trousers",), noun="waistcoat"),
    _t(261, "Outdoor Waistcoat", U, 146, 29.99, (1007,), season="autumn", noun="padded gilet"),
    _t(251, "Kimono", U, 60, 24.99, (1010, 1005), season="summer", noun="kimono"),
    # Garment Lower body
    _t(272, "Trousers", L, 11169, 29.99, (1009, 1016, 1008, 1006), complements=_TOPS, noun="trousers"),
    _t(274, "Shorts", L, 3939, 17.99, (1011, 1016, 1006), season="summer", complements=("T-shirt", "Top", "Vest top"), noun="shorts"),
    _t(275, "Skirt", L, 2696, 19.99, (1012, 1023), season="spring", complements=("Top", "Blouse", "T-shirt"), noun="skirt"),
    _t(273, "Leggings/Tights", L, 1878, 12.99, (1002, 1006), units=0.12, complements=("T-shirt", "Top", "Hoodie"), noun="leggings"),
    _t(271, "Outdoor trousers", L, 154, 29.99, (1007,), season="winter", audience="kids+baby", complements=("Jacket",), noun="outdoor trousers"),
    # Garment Full body
    _t(265, "Dress", FB, 10362, 29.99, (1013, 1023, 1006), season="summer", noun="dress"),
    _t(266, "Jumpsuit/Playsuit", FB, 1147, 29.99, (1013, 1023, 1006), season="summer", noun="jumpsuit"),
    _t(268, "Garment Set", FB, 1320, 24.99, (1006, 1005), audience="kids+baby", units=0.1, noun="set"),
    _t(269, "Dungarees", FB, 308, 24.99, (1016, 1006), noun="dungarees"),
    _t(270, "Outdoor overall", FB, 129, 49.99, (1007,), season="winter", audience="kids+baby", noun="overall"),
    _t(263, "Costumes", FB, 85, 19.99, (1005,), season="autumn", audience="kids+baby", noun="costume"),
    # Underwear
    _t(286, "Underwear bottom", "Underwear", 2748, 6.99, (1017,), units=0.3, complements=("Bra",), noun="briefs"),
    _t(306, "Bra", "Underwear", 2212, 19.99, (1017,), units=0.1, audience="women", complements=("Underwear bottom",), noun="bra"),
    _t(287, "Kids Underwear top", "Underwear", 270, 9.99, (1017,), audience="kids", units=0.25, complements=("Underwear bottom",), noun="vest"),
    _t(288, "Underwear body", "Underwear", 150, 14.99, (1017,), audience="women", noun="body"),
    _t(289, "Long John", "Underwear", 60, 14.99, (1017,), season="winter", noun="long johns"),
    _t(290, "Underwear corset", "Underwear", 20, 24.99, (1017,), audience="women", noun="corset"),
    _t(291, "Underwear set", "Underwear", 40, 19.99, (1017,), audience="women", noun="lingerie set"),
    _t(292, "Bra extender", "Underwear", 5, 3.99, (1017,), audience="women", noun="bra extender"),
    _t(293, "Underdress", "Underwear", 12, 14.99, (1017,), audience="women", noun="underdress"),
    _t(294, "Nipple covers", "Underwear", 6, 5.99, (1017,), audience="women", noun="nipple covers"),
    # Socks & Tights
    _t(302, "Socks", "Socks & Tights", 1889, 4.99, (1019,), units=0.35, noun="socks"),
    _t(304, "Underwear Tights", "Socks & Tights", 546, 9.99, (1019,), season="winter", units=0.3, noun="tights"),
    _t(303, "Leg warmers", "Socks & Tights", 7, 7.99, (1019,), season="winter", noun="leg warmers"),
    # Nightwear
    _t(76, "Pyjama set", "Nightwear", 1153, 24.99, (1017,), units=0.1, noun="pyjamas"),
    _t(77, "Pyjama jumpsuit/playsuit", "Nightwear", 318, 19.99, (1017,), audience="kids+baby", units=0.15, noun="sleepsuit"),
    _t(78, "Night gown", "Nightwear", 187, 19.99, (1017,), audience="women", noun="nightdress"),
    _t(79, "Pyjama bottom", "Nightwear", 199, 14.99, (1017,), noun="pyjama bottoms"),
    _t(80, "Sleep Bag", "Nightwear", 40, 29.99, (1017,), audience="baby", noun="sleeping bag"),
    # Underwear/nightwear
    _t(81, "Robe", "Underwear/nightwear", 40, 29.99, (1017,), noun="dressing gown"),
    _t(82, "Sleeping sack", "Underwear/nightwear", 14, 24.99, (1017,), audience="baby", noun="sleeping sack"),
    # Swimwear
    _t(59, "Swimwear bottom", "Swimwear", 1307, 12.99, (1018,), season="summer", complements=("Bikini top",), noun="bikini bottoms"),
    _t(298, "Bikini top", "Swimwear", 850, 17.99, (1018,), season="summer", audience="women", complements=("Swimwear bottom",), noun="bikini top"),
    _t(57, "Swimsuit", "Swimwear", 544, 24.99, (1018,), season="summer", noun="swimsuit"),
    _t(58, "Swimwear set", "Swimwear", 264, 19.99, (1018,), season="summer", audience="kids+baby", noun="swim set"),
    _t(60, "Swimwear top", "Swimwear", 116, 14.99, (1018,), season="summer", complements=("Swimwear bottom",), noun="swim top"),
    _t(61, "Sarong", "Swimwear", 46, 17.99, (1018,), season="summer", audience="women", noun="sarong"),
    # Shoes
    _t(94, "Sneakers", "Shoes", 1621, 29.99, (1020,), season="spring", noun="trainers"),
    _t(93, "Boots", "Shoes", 1169, 49.99, (1020,), season="winter", noun="boots"),
    _t(95, "Sandals", "Shoes", 562, 24.99, (1020,), season="summer", noun="sandals"),
    _t(96, "Ballerinas", "Shoes", 302, 24.99, (1020,), season="spring", noun="ballet pumps"),
    _t(97, "Other shoe", "Shoes", 291, 24.99, (1020,), noun="shoes"),
    _t(98, "Pumps", "Shoes", 132, 34.99, (1020,), audience="women", noun="court shoes"),
    _t(99, "Heeled sandals", "Shoes", 105, 34.99, (1020,), season="summer", audience="women", noun="heeled sandals"),
    _t(100, "Wedge", "Shoes", 96, 34.99, (1020,), season="summer", audience="women", noun="wedges"),
    _t(101, "Slippers", "Shoes", 255, 12.99, (1020,), season="winter", noun="slippers"),
    _t(102, "Flat shoe", "Shoes", 203, 24.99, (1020,), noun="flat shoes"),
    _t(103, "Flip flop", "Shoes", 118, 7.99, (1020,), season="summer", noun="flip-flops"),
    _t(104, "Heels", "Shoes", 44, 39.99, (1020,), audience="women", noun="heels"),
    _t(105, "Moccasins", "Shoes", 12, 29.99, (1020,), noun="moccasins"),
    _t(106, "Leather shoes", "Shoes", 41, 59.99, (1020,), noun="leather shoes"),
    _t(107, "Bootie", "Shoes", 66, 19.99, (1020,), season="winter", audience="kids+baby", noun="booties"),
    _t(108, "Espadrilles", "Shoes", 32, 19.99, (1020,), season="summer", noun="espadrilles"),
    # Accessories
    _t(308, "Hat/beanie", "Accessories", 1349, 9.99, (1014,), season="winter", noun="hat"),
    _t(72, "Earring", "Accessories", 1159, 7.99, (1014,), audience="women", noun="earrings"),
    _t(66, "Bag", "Accessories", 1280, 24.99, (1014,), noun="bag"),
    _t(74, "Hair/alice band", "Accessories", 850, 5.99, (1014,), units=0.1, noun="hairband"),
    _t(83, "Scarf", "Accessories", 1013, 14.99, (1014,), season="winter", noun="scarf"),
    _t(70, "Necklace", "Accessories", 581, 9.99, (1014,), audience="women", noun="necklace"),
    _t(73, "Sunglasses", "Accessories", 621, 12.99, (1014,), season="summer", noun="sunglasses"),
    _t(67, "Belt", "Accessories", 458, 12.99, (1014,), noun="belt"),
    _t(68, "Hair clip", "Accessories", 244, 5.99, (1014,), units=0.12, noun="hair clips"),
    _t(69, "Hair string", "Accessories", 238, 4.99, (1014,), units=0.15, noun="hair elastics"),
    _t(75, "Hat/brim", "Accessories", 396, 14.99, (1014,), season="summer", noun="sun hat"),
    _t(71, "Cap/peaked", "Accessories", 573, 12.99, (1014,), season="summer", noun="cap"),
    _t(84, "Gloves", "Accessories", 367, 9.99, (1014,), season="winter", noun="gloves"),
    _t(85, "Wallet", "Accessories", 77, 14.99, (1014,), noun="wallet"),
    _t(86, "Ring", "Accessories", 240, 7.99, (1014,), audience="women", noun="rings"),
    _t(87, "Bracelet", "Accessories", 180, 7.99, (1014,), noun="bracelet"),
    _t(88, "Other accessories", "Accessories", 299, 9.99, (1014,), noun="accessory"),
    _t(89, "Watch", "Accessories", 69, 24.99, (1014,), noun="watch"),
    _t(90, "Hair ties", "Accessories", 112, 4.99, (1014,), units=0.15, noun="hair ties"),
    _t(91, "Tie", "Accessories", 94, 14.99, (1014,), noun="tie"),
    _t(92, "Umbrella", "Accessories", 26, 14.99, (1014,), season="autumn", noun="umbrella"),
    _t(109, "Mobile case", "Accessories", 40, 9.99, (1014,), noun="mobile case"),
    _t(110, "Giftbox", "Accessories", 54, 9.99, (1014,), season="winter", noun="gift box"),
    _t(111, "Keychain", "Accessories", 9, 4.99, (1014,), noun="keyring"),
    _t(112, "Soft Toys", "Accessories", 45, 9.99, (1014,), audience="kids+baby", noun="soft toy"),
    _t(113, "Bucket hat", "Accessories", 44, 12.99, (1014,), season="summer", noun="bucket hat"),
    _t(114, "Straw hat", "Accessories", 31, 14.99, (1014,), season="summer", noun="straw hat"),
    _t(115, "Braces", "Accessories", 10, 9.99, (1014,), noun="braces"),
    _t(116, "Alice band", "Accessories", 66, 5.99, (1014,), noun="alice band"),
    _t(117, "Accessories set", "Accessories", 38, 12.99, (1014,), noun="accessories set"),
    _t(118, "Eyeglasses", "Accessories", 6, 14.99, (1014,), noun="reading glasses"),
    _t(119, "Dog Wear", "Accessories", 20, 9.99, (1014,), noun="dog jumper"),
    _t(120, "Felt hat", "Accessories", 24, 19.99, (1014,), season="autumn", noun="felt hat"),
    _t(121, "Headband", "Accessories", 40, 5.99, (1014,), noun="headband"),
    _t(122, "Beanie", "Accessories", 30, 9.99, (1014,), season="winter", noun="beanie"),
    _t(123, "Earrings", "Accessories", 25, 9.99, (1014,), audience="women", noun="earrings"),
    _t(124, "Wireless earphone case", "Accessories", 8, 9.99, (1014,), noun="earphone case"),
    _t(125, "Scrunchie", "Accessories", 40, 4.99, (1014,), units=0.12, noun="scrunchies"),
    _t(126, "Hair accessory", "Accessories", 30, 5.99, (1014,), noun="hair accessory"),
    _t(127, "Cap", "Accessories", 30, 12.99, (1014,), season="summer", noun="cap"),
    _t(128, "Headwear", "Accessories", 20, 12.99, (1014,), season="winter", noun="headwear"),
    # Bags
    _t(130, "Backpack", "Bags", 8, 24.99, (1014,), noun="backpack"),
    _t(131, "Shoulder bag", "Bags", 6, 29.99, (1014,), noun="shoulder bag"),
    _t(132, "Tote bag", "Bags", 4, 17.99, (1014,), noun="tote bag"),
    _t(133, "Cross-body bag", "Bags", 4, 24.99, (1014,), noun="cross-body bag"),
    _t(134, "Bumbag", "Bags", 2, 14.99, (1014,), noun="bumbag"),
    _t(135, "Weekend/Gym bag", "Bags", 2, 29.99, (1014,), noun="weekend bag"),
    # Cosmetic
    _t(140, "Chem. cosmetics", "Cosmetic", 30, 5.99, (1014,), units=0.2, noun="nail polish"),
    _t(141, "Fine cosmetics", "Cosmetic", 19, 12.99, (1014,), noun="lipstick"),
    # Items
    _t(145, "Waterbottle", "Items", 8, 9.99, (1014,), noun="water bottle"),
    _t(146, "Zipper head", "Items", 4, 2.99, (1014,), noun="zip puller"),
    _t(147, "Wood balls", "Items", 5, 4.99, (1014,), noun="wooden beads"),
    # Furniture, care, stationery, interior, fun, unknown
    _t(150, "Side table", "Furniture", 13, 49.99, (1014,), noun="side table"),
    _t(155, "Clothing mist", "Garment and Shoe care", 4, 7.99, (1014,), noun="clothing mist"),
    _t(156, "Sewing kit", "Garment and Shoe care", 3, 5.99, (1014,), noun="sewing kit"),
    _t(157, "Stain remover spray", "Garment and Shoe care", 2, 7.99, (1014,), noun="stain remover"),
    _t(160, "Marker pen", "Stationery", 5, 3.99, (1014,), noun="marker pens"),
    _t(165, "Blanket", "Interior textile", 1, 19.99, (1014,), noun="blanket"),
    _t(166, "Cushion", "Interior textile", 1, 14.99, (1014,), noun="cushion cover"),
    _t(167, "Towel", "Interior textile", 1, 12.99, (1014,), noun="towel"),
    _t(170, "Toy", "Fun", 2, 9.99, (1014,), noun="toy"),
    _t(-1, "Unknown", "Unknown", 121, 14.99, (1001,), noun="item"),
)

# which index audiences may carry a type with a given audience tag
AUDIENCE_OK = {
    "all": {"women", "young", "men", "baby", "kids", "all"},
    "women": {"women", "young", "all"},
    "kids": {"kids"},
    "baby": {"baby"},
    "kids+baby": {"kids", "baby"},
}

# season: (peak day of year, amplitude of the log seasonal factor)
SEASONS = {"": (0, 0.0), "summer": (180, 1.1), "winter": (15, 0.8), "spring": (110, 0.4), "autumn": (290, 0.5)}

# --- graphical appearances (number, name, share) -------------------------------------------------
GRAPHICAL_APPEARANCES = (
    (1010016, "Solid", 49747), (1010001, "All over pattern", 17165), (1010010, "Melange", 5938),
    (1010017, "Stripe", 4990), (1010023, "Denim", 4404), (1010008, "Front print", 3215),
    (1010014, "Placement print", 3098), (1010004, "Check", 2178), (1010021, "Lace", 1513),
    (1010026, "Other structure", 1502), (1010005, "Colour blocking", 1245), (1010018, "Treatment", 938),
    (1010011, "Metallic", 848), (1010006, "Dot", 678), (1010002, "Application/3D", 539),
    (1010007, "Embroidery", 478), (1010024, "Glittering/Metallic", 423), (1010012, "Mixed solid/pattern", 407),
    (1010013, "Other pattern", 396), (1010015, "Sequin", 316), (1010019, "Transparent", 236),
    (1010020, "Jacquard", 200), (1010027, "Contrast", 180), (1010022, "Argyle", 90), (1010025, "Neps", 81),
    (1010028, "Hologram", 40), (1010029, "Chambray", 60), (1010003, "Animal print", 300),
    (1010009, "Glittering", 120), (-1, "Unknown", 52),
)

# --- colours -------------------------------------------------------------------------------------
# Families used by customer colour taste: 0 dark, 1 light neutral, 2 earthy, 3 blue, 4 warm, 5 other.
COLOUR_FAMILIES = ("dark", "light", "earthy", "blue", "warm", "other")
PERCEIVED_VALUES = {-1: "Unknown", 1: "Dusty Light", 2: "Medium Dusty", 3: "Bright", 4: "Dark",
                    5: "Light", 6: "Undefined", 7: "Medium"}
PERCEIVED_MASTERS = {
    5: "Black", 2: "Blue", 9: "White", 4: "Pink", 12: "Grey", 18: "Red", 11: "Beige", 19: "Green",
    3: "Khaki green", 8: "Yellow", 1: "Brown", 7: "Orange", 6: "Lilac Purple", 20: "Turquoise",
    10: "Metal", 13: "Mole", 14: "Yellowish Green", 15: "Bluish Green", 16: "undefined", -1: "Unknown",
}
# (code, name, article share, family, perceived value id, perceived master id)
COLOURS = (
    (9, "Black", 22670, 0, 4, 5), (73, "Dark Blue", 12171, 0, 4, 2), (10, "White", 9542, 1, 5, 9),
    (51, "Light Pink", 5811, 4, 1, 4), (7, "Grey", 4487, 1, 2, 12), (12, "Light Beige", 3356, 1, 1, 11),
    (72, "Blue", 3308, 3, 7, 2), (42, "Red", 3056, 4, 3, 18), (71, "Light Blue", 3012, 3, 1, 2),
    (19, "Greenish Khaki", 2767, 2, 2, 3), (8, "Dark Grey", 2731, 0, 4, 12), (11, "Off White", 2726, 1, 5, 9),
    (13, "Beige", 2712, 2, 2, 11), (43, "Dark Red", 2340, 4, 4, 18), (93, "Dark Green", 2106, 5, 4, 19),
    (15, "Yellowish Brown", 2105, 2, 2, 1), (52, "Pink", 2063, 4, 3, 4), (6, "Light Grey", 1965, 1, 5, 12),
    (14, "Dark Beige", 1581, 2, 2, 11), (22, "Yellow", 1395, 4, 3, 8), (31, "Light Orange", 1050, 4, 1, 7),
    (92, "Green", 1002, 5, 7, 19), (53, "Dark Pink", 975, 4, 4, 4), (32, "Orange", 918, 4, 3, 7),
    (1, "Other", 870, 5, 6, 16), (5, "Gold", 857, 5, 6, 10), (21, "Light Yellow", 760, 4, 5, 8),
    (3, "Silver", 645, 5, 6, 10), (91, "Light Green", 595, 5, 1, 19), (61, "Light Purple", 575, 5, 1, 6),
    (17, "Light Brown", 555, 2, 1, 1), (82, "Turquoise", 510, 5, 3, 20), (62, "Purple", 480, 5, 7, 6),
    (33, "Dark Orange", 470, 4, 4, 7), (16, "Greyish Beige", 460, 2, 2, 13), (81, "Light Turquoise", 440, 5, 1, 20),
    (63, "Dark Purple", 430, 5, 4, 6), (41, "Light Red", 420, 4, 1, 18), (23, "Dark Yellow", 400, 4, 4, 8),
    (83, "Dark Turquoise", 380, 5, 4, 20), (4, "Bronze/Copper", 220, 5, 6, 10), (50, "Other Pink", 160, 4, 6, 4),
    (20, "Other Yellow", 120, 4, 6, 14), (30, "Other Orange", 110, 4, 6, 7), (40, "Other Red", 100, 4, 6, 18),
    (60, "Other Purple", 90, 5, 6, 6), (70, "Other Blue", 90, 3, 6, 2), (80, "Other Turquoise", 80, 5, 6, 15),
    (90, "Other Green", 80, 5, 6, 19), (-1, "Unknown", 28, 5, -1, -1),
)
DENIM_COLOURS = (73, 72, 71, 9, 7)  # what denim usually comes in

# --- shelf prices ---------------------------------------------------------------------------------
PRICE_LADDER = (
    0.99, 1.99, 2.99, 3.99, 4.99, 5.99, 6.99, 7.99, 8.99, 9.99, 12.99, 14.99, 17.99, 19.99, 22.99,
    24.99, 27.99, 29.99, 34.99, 39.99, 44.99, 49.99, 59.99, 69.99, 79.99, 89.99, 99.99, 129.0, 149.0,
    199.0, 249.0, 299.0, 349.0,
)
PRICE_DIVISOR = 590.0  # Kaggle prices are shelf prices divided by this (0.5915 * 590 = 349)

# --- words for names and descriptions ---------------------------------------------------------------
STYLE_NAMES = (
    "Jade", "Tilly", "Luna", "Ellie", "Mimi", "Nora", "Sally", "Ivy", "Kate", "Lola", "Bella", "Molly",
    "Ruby", "Zoe", "Mia", "Alva", "Signe", "Stina", "Filippa", "Tove", "Greta", "Maja", "Elsa", "Vera",
    "Juno", "Hedda", "Alba", "Astrid", "Frida", "Ingrid", "Ebba", "Liv", "Tyra", "Wilma", "Lea", "Nova",
    "Dagny", "Edith", "Freja", "Hanna", "Idun", "Jolie", "Kira", "Linnea", "Marit", "Nelly", "Olga", "Petra",
    "Rita", "Saga", "Tess", "Una", "Vivi", "Yrsa", "Amber", "Brooke", "Cleo", "Daisy", "Esme", "Fern",
    "Gigi", "Holly", "Iris", "Jenna", "Kiki", "Lily", "Maddie", "Nell", "Opal", "Poppy", "Rose", "Skye",
    "Theo", "Otto", "Hugo", "Leo", "Max", "Oscar", "Sam", "Tom", "Axel", "Erik", "Nils", "Olle", "Sven",
    "Pluto", "Comet", "Atlas", "Orion", "Sol", "Storm", "Frost", "Sky", "River", "Maple", "Pine", "Birch",
    "Cotton", "Linen", "Denim", "Velvet", "Satin", "Silk", "Wool", "Cord", "Jersey", "Tweed", "Terry",
    "Bamboo", "Basic", "Classic", "Trend", "Fancy", "Soft", "Cosy", "Easy", "Sport", "Urban", "Summer",
)
STYLE_WORDS = ("", "", "", "", "HW", "slim", "wide", "oversized", "rib", "linen", "denim", "fancy", "basic",
               "2-pack", "3-pack", "lace", "jersey", "cropped", "long", "short", "printed", "padded")
MATERIALS = ("soft cotton jersey", "fine-knit fabric", "woven fabric", "stretch denim", "a viscose weave",
             "a cotton blend", "ribbed jersey", "sweatshirt fabric", "lyocell", "recycled polyester", "linen",
             "chiffon", "faux leather", "lace", "velour", "soft, brushed fabric", "organic cotton", "satin")
FEATURES = ("a round neckline", "a V-neck", "short sleeves", "long sleeves", "an elasticated waist",
            "side pockets", "a zip at the back", "narrow shoulder straps", "buttons down the front",
            "a drawstring", "dropped shoulders", "a lined hood", "ribbing at the cuffs and hem",
            "a concealed zip", "a wrapover front", "adjustable straps", "a printed motif", "a rounded hem",
            "press-studs", "a regular fit", "a relaxed fit", "a slim fit", "wide legs", "tapered legs")
