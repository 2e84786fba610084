"""Table schemas: the Kaggle CSV files as they arrive, and the compact warehouse tables.

The CSV schemas list every Kaggle column in file order with the Arrow type the reader parses it
as; the warehouse schemas are what ingestion stores. Checks, the generator and test fixtures all
use these, so a column is named and typed in one place.
"""

import pyarrow as pa

from hm_assets import columns as c

ARTICLES_FILE = "articles.csv"
CUSTOMERS_FILE = "customers.csv"
TRANSACTIONS_FILE = "transactions_train.csv"

_dict = pa.dictionary(pa.int32(), pa.string())

# --- CSV files, exactly the Kaggle columns in Kaggle order -------------------------------------
ARTICLES_CSV = pa.schema(
    [
        (c.ARTICLE_ID, pa.int32()),
        (c.PRODUCT_CODE, pa.int32()),
        ("prod_name", pa.string()),
        (c.PRODUCT_TYPE_NO, pa.int32()),
        ("product_type_name", pa.string()),
        (c.PRODUCT_GROUP_NAME, pa.string()),
        ("graphical_appearance_no", pa.int32()),
        ("graphical_appearance_name", pa.string()),
        (c.COLOUR_GROUP_CODE, pa.int32()),
        ("colour_group_name", pa.string()),
        ("perceived_colour_value_id", pa.int32()),
        ("perceived_colour_value_name", pa.string()),
        ("perceived_colour_master_id", pa.int32()),
        ("perceived_colour_master_name", pa.string()),
        (c.DEPARTMENT_NO, pa.int32()),
        ("department_name", pa.string()),
        (c.INDEX_CODE, pa.string()),
        ("index_name", pa.string()),
        ("index_group_no", pa.int32()),
        (c.INDEX_GROUP_NAME, pa.string()),
        ("section_no", pa.int32()),
        ("section_name", pa.string()),
        (c.GARMENT_GROUP_NO, pa.int32()),
        ("garment_group_name", pa.string()),
        ("detail_desc", pa.string()),
    ]
)

CUSTOMERS_CSV = pa.schema(
    [
        (c.CUSTOMER_ID, pa.string()),
        (c.FN, pa.float32()),
        (c.ACTIVE, pa.float32()),
        (c.CLUB_MEMBER_STATUS, pa.string()),
        (c.FASHION_NEWS_FREQUENCY, pa.string()),
        (c.AGE, pa.float32()),
        (c.POSTAL_CODE, pa.string()),
    ]
)

TRANSACTIONS_CSV = pa.schema(
    [
        (c.T_DAT, pa.date32()),
        (c.CUSTOMER_ID, pa.string()),
        (c.ARTICLE_ID, pa.int32()),
        (c.PRICE, pa.float32()),
        (c.SALES_CHANNEL_ID, pa.int8()),
    ]
)

CSV_SCHEMAS = {
    ARTICLES_FILE: ARTICLES_CSV,
    CUSTOMERS_FILE: CUSTOMERS_CSV,
    TRANSACTIONS_FILE: TRANSACTIONS_CSV,
}

# --- warehouse tables ----------------------------------------------------------------------------
# Low-cardinality strings become dictionaries (pandas categoricals); free text stays a string.
ARTICLES = pa.schema(
    [(f.name, _dict if f.type == pa.string() and f.name != "detail_desc" else f.type) for f in ARTICLES_CSV]
)

CUSTOMERS = pa.schema(
    [
        (c.CUSTOMER_ID, pa.int32()),  # dense index, row order of customers.csv
        (c.CUSTOMER_HEX, pa.string()),  # the original 64-hex id, for the submission
        (c.FN, pa.float32()),
        (c.ACTIVE, pa.float32()),
        (c.CLUB_MEMBER_STATUS, _dict),
        (c.FASHION_NEWS_FREQUENCY, _dict),
        (c.AGE, pa.float32()),
        (c.POSTAL_CODE, _dict),
    ]
)

TRANSACTIONS = pa.schema(
    [
        (c.T_DAT, pa.date32()),
        (c.CUSTOMER_ID, pa.int32()),
        (c.ARTICLE_ID, pa.int32()),
        (c.PRICE, pa.float32()),
        (c.SALES_CHANNEL_ID, pa.int8()),
    ]
)

CANDIDATES = pa.schema(
    [
        (c.CUSTOMER_ID, pa.int32()),
        (c.ARTICLE_ID, pa.int32()),
        (c.STRATEGY, _dict),
        (c.SCORE, pa.float32()),
        (c.RANK, pa.int16()),
    ]
)
