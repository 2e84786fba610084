"""One source of truth for column names and competition constants.

Warehouse tables use compact integer keys:

- ``customer_id`` is an ``int32`` dense index into ``customers`` (row order of customers.csv);
  the original 64-hex string is kept once, in ``customers.customer_hex``, and restored only
  when the submission is written.
- ``article_id`` is the Kaggle integer itself as ``int32`` (9 digits fit); it is printed
  zero-padded to 10 digits in the submission.
"""

K = 12  # MAP@K and predictions per customer, as the competition scores them
ARTICLE_ID_WIDTH = 10  # zero-padded width of article ids in the submission

# transactions
T_DAT = "t_dat"
CUSTOMER_ID = "customer_id"
ARTICLE_ID = "article_id"
PRICE = "price"
SALES_CHANNEL_ID = "sales_channel_id"

# customers
CUSTOMER_HEX = "customer_hex"
FN = "FN"
ACTIVE = "Active"
CLUB_MEMBER_STATUS = "club_member_status"
FASHION_NEWS_FREQUENCY = "fashion_news_frequency"
AGE = "age"
POSTAL_CODE = "postal_code"

# articles
PRODUCT_CODE = "product_code"
PRODUCT_TYPE_NO = "product_type_no"
PRODUCT_GROUP_NAME = "product_group_name"
COLOUR_GROUP_CODE = "colour_group_code"
INDEX_GROUP_NAME = "index_group_name"
INDEX_CODE = "index_code"
GARMENT_GROUP_NO = "garment_group_no"
DEPARTMENT_NO = "department_no"

# candidate-strategy contract (every strategy returns exactly these columns)
STRATEGY = "strategy"
SCORE = "score"
RANK = "rank"
CANDIDATE_COLUMNS = (CUSTOMER_ID, ARTICLE_ID, STRATEGY, SCORE, RANK)

# submission
PREDICTION = "prediction"

# models stage (training rows, model scores, blend)
WEEK = "week"  # the week key a training row belongs to
LABEL = "label"  # 1 if the customer bought the article during that week
BLEND_SCORE = "blend_score"
