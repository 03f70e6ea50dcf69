-- kassa: the whole database schema, version 10.
--
-- Applied by `kassa init` (and by store_open on a new file), embedded in the binary at build
-- time. PRAGMA user_version records the version; src/store/store.c holds the forward
-- migrations from each older version. Never edit a released version: add a migration.
--
-- Conventions:
--   money     INTEGER minor units (1/100 so'm), never REAL
--   quantity  INTEGER thousandths of the unit (1 pcs = 1000, 0.250 kg = 250)
--   vat       INTEGER basis points (12% = 1200)
--   time      TEXT RFC 3339 UTC with milliseconds, '2026-11-25T09:30:00.000Z'
--
-- Financial facts live in `events` (immutable, hash-chained). The other financial tables
-- (sales, payments, shifts, stock) are state derived from those events and are written in the
-- same transaction as the event that describes them.

PRAGMA user_version = 10;

-- Key/value facts about this till: device_id, store, next numbers, the sync cursor.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
-- stock_folded (version 10): products.stock sums the stock_moves up to this id (store.h).
INSERT INTO meta(key, value) VALUES ('stock_folded', '0');

-- The journal. seq counts from 1 with no gaps; id is the idempotency key sent upstream.
-- hash = SHA-256(prev_hash "\n" id "\n" seq "\n" type "\n" at "\n" payload), hex; the first
-- event's prev_hash is 64 zeros. payload is canonical JSON (compact, keys sorted).
CREATE TABLE events (
    seq       INTEGER PRIMARY KEY CHECK (seq > 0),
    id        TEXT NOT NULL UNIQUE,
    type      TEXT NOT NULL,
    at        TEXT NOT NULL,
    payload   TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);

CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are immutable'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are immutable'); END;

-- Events not yet accepted upstream. A row is written with its event, in the same transaction;
-- accepted and duplicate rows are deleted (the event stays in the journal for good).
CREATE TABLE outbox (
    seq        INTEGER PRIMARY KEY REFERENCES events(seq),
    state      TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'rejected')),
    attempts   INTEGER NOT NULL DEFAULT 0,
    error      TEXT,
    updated_at TEXT
);
-- Only the rejected rows are indexed (version 10): the pending ones are read in seq order, the
-- table's own, and an index entry for each would cost every sale a page.
CREATE INDEX outbox_rejected ON outbox(seq) WHERE state = 'rejected';

-- Catalogue (non-financial: flows down from upstream, last-write-wins by updated_at).
CREATE TABLE products (
    id         INTEGER PRIMARY KEY,
    sku        TEXT UNIQUE,
    name       TEXT NOT NULL,
    price      INTEGER NOT NULL CHECK (price >= 0),
    vat_bp     INTEGER NOT NULL DEFAULT 1200 CHECK (vat_bp BETWEEN 0 AND 10000),
    unit       TEXT NOT NULL DEFAULT 'pcs' CHECK (unit IN ('pcs', 'kg')),
    mxik       TEXT,
    category   TEXT,
    plu        INTEGER UNIQUE,           -- product code inside in-store weight barcodes
    stock      INTEGER NOT NULL DEFAULT 0, -- thousandths: stock_moves up to meta stock_folded
    updated_at TEXT NOT NULL,
    deleted    INTEGER NOT NULL DEFAULT 0,
    min_stock  INTEGER NOT NULL DEFAULT 0  -- version 9: low when on hand <= min_stock (thousandths)
);
-- The few deleted products, so counting the live ones reads two indexes instead of every row
-- (`kassa status` on 200k products: 49 ms -> 4 ms). Added in version 2.
CREATE INDEX products_deleted ON products(id) WHERE deleted <> 0;

-- Several barcodes per product.
CREATE TABLE barcodes (
    code       TEXT PRIMARY KEY,
    product_id INTEGER NOT NULL REFERENCES products(id) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX barcodes_product ON barcodes(product_id);

-- Name search for F2 (kept in step by triggers). Prefix indexes make the first letters a
-- cashier types (1 to 3 characters) as quick as whole words.
CREATE VIRTUAL TABLE products_fts USING fts5(
    name, sku, content = 'products', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3'
);
CREATE TRIGGER products_ai AFTER INSERT ON products BEGIN
    INSERT INTO products_fts(rowid, name, sku) VALUES (new.id, new.name, new.sku);
END;
CREATE TRIGGER products_ad AFTER DELETE ON products BEGIN
    INSERT INTO products_fts(products_fts, rowid, name, sku) VALUES ('delete', old.id, old.name, old.sku);
END;
CREATE TRIGGER products_au AFTER UPDATE OF name, sku ON products BEGIN
    INSERT INTO products_fts(products_fts, rowid, name, sku) VALUES ('delete', old.id, old.name, old.sku);
    INSERT INTO products_fts(rowid, name, sku) VALUES (new.id, new.name, new.sku);
END;

-- Customers: made at a till (a customer.added event) or published by the hub (last-write-wins
-- by updated_at for name, phone, card and the limit). What a customer owes and their points are
-- never stored here: customer.c derives them from the events that name the customer's key
-- (sale.completed, sale.returned, customer.paid), on top of the figures the hub last confirmed
-- (hub_*, version 7), which cover this till's events up to hub_seq.
CREATE TABLE customers (
    id         INTEGER PRIMARY KEY,
    key        TEXT NOT NULL UNIQUE,     -- upstream key (a UUID for one made at a till)
    name       TEXT NOT NULL,
    phone      TEXT,                     -- normalised: '+' and digits
    card       TEXT UNIQUE,              -- loyalty card number
    updated_at TEXT NOT NULL,
    deleted    INTEGER NOT NULL DEFAULT 0,
    credit_limit INTEGER NOT NULL DEFAULT 0,  -- minor units: the most the customer may owe
    hub_balance  INTEGER NOT NULL DEFAULT 0,  -- owed, as the hub last confirmed it
    hub_points   INTEGER NOT NULL DEFAULT 0,
    hub_seq      INTEGER NOT NULL DEFAULT 0,  -- this till's events counted in hub_*
    hub_at       TEXT                         -- when the hub confirmed them (balance_at)
);

-- The events that name a customer, found without reading the whole journal (version 7).
-- (A payload that is not JSON, which only a damaged file holds, is left out rather than
-- failing the write: `kassa journal verify` is what reports it.) Only the events that do name
-- a customer (version 10): a sale without one writes no page here.
CREATE INDEX events_customer ON events((CASE WHEN json_valid(payload) THEN
    json_extract(payload, '$.customer') END), seq)
    WHERE type IN ('sale.completed', 'sale.returned', 'customer.paid') AND (CASE WHEN
    json_valid(payload) THEN json_extract(payload, '$.customer') END) IS NOT NULL;

-- PINs only as yescrypt hashes. failed/locked_until implement the lock-out.
CREATE TABLE users (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    role       TEXT NOT NULL CHECK (role IN ('cashier', 'manager', 'admin')),
    pin_hash   TEXT NOT NULL,
    active     INTEGER NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL
);

-- One open shift per till (closed_at IS NULL). Totals are folded from events and kept here in
-- the same transaction; tests prove the two agree. refunds_* (version 4) are the returns
-- completed in the shift, positive: refunds_other is credit given back to customers' balances,
-- refunds_no_receipt counts the returns without a receipt.
CREATE TABLE shifts (
    id            INTEGER PRIMARY KEY,
    number        INTEGER NOT NULL UNIQUE,
    user_id       INTEGER NOT NULL REFERENCES users(id),
    opened_at     TEXT NOT NULL,
    opening_float INTEGER NOT NULL,
    cash_sales    INTEGER NOT NULL DEFAULT 0,
    card_sales    INTEGER NOT NULL DEFAULT 0,
    cash_change   INTEGER NOT NULL DEFAULT 0,
    sales_count   INTEGER NOT NULL DEFAULT 0,
    sales_total   INTEGER NOT NULL DEFAULT 0,
    vat_total     INTEGER NOT NULL DEFAULT 0,
    discount_total INTEGER NOT NULL DEFAULT 0,
    voids_count   INTEGER NOT NULL DEFAULT 0,
    cash_in       INTEGER NOT NULL DEFAULT 0,
    cash_out      INTEGER NOT NULL DEFAULT 0,
    closed_at     TEXT,
    closed_by     INTEGER REFERENCES users(id),
    counted_cash  INTEGER,
    expected_cash INTEGER,
    refunds_count INTEGER NOT NULL DEFAULT 0,
    refunds_total INTEGER NOT NULL DEFAULT 0,
    refunds_vat   INTEGER NOT NULL DEFAULT 0,
    refunds_cash  INTEGER NOT NULL DEFAULT 0,
    refunds_card  INTEGER NOT NULL DEFAULT 0,
    refunds_other INTEGER NOT NULL DEFAULT 0,
    refunds_no_receipt INTEGER NOT NULL DEFAULT 0,
    credit_sales  INTEGER NOT NULL DEFAULT 0,   -- version 7: sales paid on credit (nasiya)
    points_sales  INTEGER NOT NULL DEFAULT 0,   -- paid with loyalty points
    repaid_cash   INTEGER NOT NULL DEFAULT 0,   -- customers' repayments (customer.paid)
    repaid_card   INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX shifts_one_open ON shifts((closed_at IS NULL)) WHERE closed_at IS NULL;

CREATE TABLE cash_moves (
    id       INTEGER PRIMARY KEY,
    shift_id INTEGER NOT NULL REFERENCES shifts(id),
    user_id  INTEGER NOT NULL REFERENCES users(id),
    amount   INTEGER NOT NULL,           -- > 0 cash in, < 0 cash out
    reason   TEXT NOT NULL,
    at       TEXT NOT NULL,
    event_seq INTEGER NOT NULL REFERENCES events(seq)
);

-- A sale. 'open' is the cart on screen (stored on every change so a crash resumes it),
-- 'parked' is set aside, 'completed' and 'voided' are final. number is given at completion,
-- gapless per till.
CREATE TABLE sales (
    id            INTEGER PRIMARY KEY,
    uuid          TEXT NOT NULL UNIQUE,
    number        INTEGER,               -- unique when set (sales_number)
    state         TEXT NOT NULL CHECK (state IN ('open', 'parked', 'completed', 'voided')),
    shift_id      INTEGER NOT NULL REFERENCES shifts(id),
    user_id       INTEGER NOT NULL REFERENCES users(id),
    customer_id   INTEGER REFERENCES customers(id),
    cart_disc_kind TEXT CHECK (cart_disc_kind IN ('percent', 'amount')),
    cart_disc_value INTEGER NOT NULL DEFAULT 0, -- basis points or minor units
    subtotal      INTEGER NOT NULL DEFAULT 0,
    discount      INTEGER NOT NULL DEFAULT 0,
    total         INTEGER NOT NULL DEFAULT 0,
    vat_total     INTEGER NOT NULL DEFAULT 0,
    paid          INTEGER NOT NULL DEFAULT 0,
    change        INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    completed_at  TEXT,
    event_seq     INTEGER REFERENCES events(seq),
    disc_approver_id INTEGER REFERENCES users(id)  -- who approved a discount past the seller's limit
);
-- Partial (version 10): an open cart has no number, and its first scan writes no page for it.
CREATE UNIQUE INDEX sales_number ON sales(number) WHERE number IS NOT NULL;
CREATE INDEX sales_state ON sales(state);
CREATE INDEX sales_completed ON sales(completed_at) WHERE completed_at IS NOT NULL;

-- Lines keep the price, name and VAT they were rung up at (a price change does not touch them).
-- One b-tree keyed by (sale_id, lineno) (version 10): a scan writes one page, not a table page
-- and an index page. A line is named by its sale and number (return_lines.sale_lineno).
CREATE TABLE sale_lines (
    sale_id    INTEGER NOT NULL REFERENCES sales(id) ON DELETE CASCADE,
    lineno     INTEGER NOT NULL,
    product_id INTEGER NOT NULL REFERENCES products(id),
    code       TEXT NOT NULL,            -- what was scanned or typed
    name       TEXT NOT NULL,
    unit       TEXT NOT NULL,
    qty        INTEGER NOT NULL CHECK (qty > 0),
    price      INTEGER NOT NULL,
    vat_bp     INTEGER NOT NULL,
    disc_kind  TEXT CHECK (disc_kind IN ('percent', 'amount')),
    disc_value INTEGER NOT NULL DEFAULT 0,
    discount   INTEGER NOT NULL DEFAULT 0, -- line + share of cart discount, minor units
    total      INTEGER NOT NULL DEFAULT 0, -- after discounts
    vat        INTEGER NOT NULL DEFAULT 0, -- included in total
    voided     INTEGER NOT NULL DEFAULT 0,
    label_total INTEGER,                 -- a price label's own amount: the line's gross
    voided_by  INTEGER REFERENCES users(id),
    voided_at  TEXT,
    PRIMARY KEY (sale_id, lineno)
) WITHOUT ROWID;

-- A sale's tenders, one b-tree keyed by (sale_id, id) (version 10): id numbers the sale's own
-- tenders from 1, in the order taken. Read by sale on every change of its cart; a payment
-- writes one page, not a table page and a sale_id index page.
CREATE TABLE payments (
    sale_id   INTEGER NOT NULL REFERENCES sales(id) ON DELETE CASCADE,
    id        INTEGER NOT NULL,
    method    TEXT NOT NULL CHECK (method IN ('cash', 'card', 'credit', 'points')),
    amount    INTEGER NOT NULL CHECK (amount > 0),  -- tendered
    at        TEXT NOT NULL,
    PRIMARY KEY (sale_id, id)
) WITHOUT ROWID;

-- A return (version 4): its own record, never an edit of the sale it returns. 'open' is the
-- return on screen (stored on every change, so a crash resumes it); 'completed' is final (its
-- event is sale.returned). What a sale line still has to return is derived: its qty minus the
-- qty of the completed returns' lines that name it. number is given at completion, gapless
-- per till, in a series of its own (the refund receipt prints it as R<number>).
-- sale_id NULL: a manager's return without a receipt.
CREATE TABLE returns (
    id           INTEGER PRIMARY KEY,
    uuid         TEXT NOT NULL UNIQUE,
    number       INTEGER UNIQUE,
    state        TEXT NOT NULL CHECK (state IN ('open', 'completed')),
    sale_id      INTEGER REFERENCES sales(id),
    shift_id     INTEGER NOT NULL REFERENCES shifts(id),
    user_id      INTEGER NOT NULL REFERENCES users(id),
    approver_id  INTEGER REFERENCES users(id),
    total        INTEGER NOT NULL DEFAULT 0,     -- refunded, positive
    vat_total    INTEGER NOT NULL DEFAULT 0,
    discount     INTEGER NOT NULL DEFAULT 0,     -- the original discount on the units returned
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    completed_at TEXT,
    event_seq    INTEGER REFERENCES events(seq)
);
CREATE INDEX returns_sale ON returns(sale_id);
CREATE INDEX returns_state ON returns(state);

-- The units of one sale line given back (sale_lineno NULL without a receipt). total, vat and
-- discount are that line's share, fixed at completion (sale line total x returned / sold,
-- cumulative over the sale's returns, so the last return takes the tiyin left over).
CREATE TABLE return_lines (
    id           INTEGER PRIMARY KEY,
    return_id    INTEGER NOT NULL REFERENCES returns(id) ON DELETE CASCADE,
    sale_lineno  INTEGER,                  -- the line of returns.sale_id given back (version 10)
    product_id   INTEGER NOT NULL REFERENCES products(id),
    code         TEXT NOT NULL,
    name         TEXT NOT NULL,
    unit         TEXT NOT NULL,
    qty          INTEGER NOT NULL CHECK (qty > 0),
    price        INTEGER NOT NULL,
    vat_bp       INTEGER NOT NULL,
    discount     INTEGER NOT NULL DEFAULT 0,
    total        INTEGER NOT NULL DEFAULT 0,
    vat          INTEGER NOT NULL DEFAULT 0,
    UNIQUE (return_id, sale_lineno)
);

-- Where a refund's money went: card back to card, credit back to the customer's balance, the
-- rest in cash (refund.h says the rule).
CREATE TABLE return_payments (
    id        INTEGER PRIMARY KEY,
    return_id INTEGER NOT NULL REFERENCES returns(id) ON DELETE CASCADE,
    method    TEXT NOT NULL CHECK (method IN ('cash', 'card', 'credit', 'points')),
    amount    INTEGER NOT NULL CHECK (amount > 0),
    at        TEXT NOT NULL
);
CREATE INDEX return_payments_return ON return_payments(return_id);

-- Every change of stock, one row per product per event, appended in the event's transaction.
-- products.stock is their sum up to meta stock_folded; the rest is folded in when the till is
-- idle (version 10). Stock on hand = products.stock + the moves after the mark (stock.h).
CREATE TABLE stock_moves (
    id         INTEGER PRIMARY KEY,
    product_id INTEGER NOT NULL REFERENCES products(id),
    qty        INTEGER NOT NULL,          -- thousandths, negative for a sale
    reason     TEXT NOT NULL CHECK (reason IN ('sale', 'receive', 'adjust', 'count', 'import',
                                           'return')),
    sale_id    INTEGER REFERENCES sales(id),
    event_seq  INTEGER NOT NULL REFERENCES events(seq),
    at         TEXT NOT NULL,
    return_id  INTEGER REFERENCES returns(id)       -- version 4
);
-- No index on product_id: stock on hand reads only the moves after the fold's mark (a rowid
-- range, short: the till folds when idle), and an index cost every sale a random index page
-- per product sold (schema 3 dropped it).

-- Receipts waiting for the printer (printing never blocks a sale).
CREATE TABLE print_jobs (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('receipt', 'copy', 'report', 'test', 'drawer')),
    sale_id    INTEGER REFERENCES sales(id),
    body       BLOB,                      -- NULL: rendered from sale_id when printed; a
                                          -- 'report' job: 'z:SHIFT_ID' or 'day:YYYY-MM-DD'
                                          -- (rendered from the figures when printed)
    state      TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'done', 'failed')),
    attempts   INTEGER NOT NULL DEFAULT 0,
    error      TEXT,
    created_at TEXT NOT NULL,
    printed_at TEXT,
    return_id  INTEGER REFERENCES returns(id),  -- version 4: a refund receipt (sale_id NULL)
    repayment_seq INTEGER REFERENCES events(seq) -- version 7: a repayment's receipt (customer.paid)
);
CREATE INDEX print_jobs_state ON print_jobs(state, id);

-- The audit trail (version 6, report.h). Every PIN typed at the till (a log-in or a manager's
-- approval): who, or NULL for a wrong PIN, and whether it was right. Not journal events: a
-- wrong PIN changes no figure, and a stream of guesses must not flood the hub's journal; the
-- till keeps them for `kassa report audit`.
CREATE TABLE logins (
    id       INTEGER PRIMARY KEY,
    at       TEXT NOT NULL,
    user_id  INTEGER REFERENCES users(id),
    name     TEXT,
    ok       INTEGER NOT NULL,
    purpose  TEXT NOT NULL DEFAULT 'pin'
);
CREATE INDEX logins_at ON logins(at);

-- Every change of a product's price, whatever brought it (the hub's catalogue, a CSV import),
-- written by the trigger below when it applies.
CREATE TABLE price_changes (
    id         INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    product_id INTEGER NOT NULL REFERENCES products(id),
    code       TEXT,
    name       TEXT NOT NULL,
    old_price  INTEGER NOT NULL,
    price      INTEGER NOT NULL
);
CREATE INDEX price_changes_at ON price_changes(at);
CREATE TRIGGER products_price_change AFTER UPDATE OF price ON products
WHEN old.price <> new.price BEGIN
    INSERT INTO price_changes(at, product_id, code, name, old_price, price)
    VALUES (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), new.id, coalesce(new.sku, (SELECT min(code)
        FROM barcodes WHERE product_id = new.id)), new.name, old.price, new.price);
END;
-- Fiscal documents (version 8; CONTRACT.md section 8, include/fiscal.h): one per completed
-- sale and return and per shift opening and closing when [fiscal] mode = http, written in the
-- same transaction as its event. body is the JSON the gateway gets (a refund's refund_of is
-- added when it is sent, from its original's reply: refund_of_doc names that document). The
-- sync process sends them in id order; the reply fills terminal_id .. qr_url and its own event
-- (fiscal.signed, event_seq). A 4xx leaves it 'rejected' with error, kept, until
-- `kassa sync --retry-rejected`.
CREATE TABLE fiscal_documents (
    id            INTEGER PRIMARY KEY,
    uuid          TEXT NOT NULL UNIQUE,
    kind          TEXT NOT NULL CHECK (kind IN ('sale', 'refund', 'shift_open', 'shift_close')),
    ref_id        INTEGER NOT NULL,          -- sales.id, returns.id or shifts.id by kind
    at            TEXT NOT NULL,
    body          TEXT NOT NULL,
    refund_of_doc TEXT,                      -- a refund: its original sale's document (uuid)
    state         TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent',
                                                                   'rejected')),
    terminal_id   TEXT,
    receipt_seq   INTEGER,
    fiscal_sign   TEXT,
    qr_url        TEXT,
    signed_at     TEXT,
    error         TEXT,
    attempts      INTEGER NOT NULL DEFAULT 0,
    updated_at    TEXT,
    event_seq     INTEGER REFERENCES events(seq)
);
CREATE UNIQUE INDEX fiscal_documents_ref ON fiscal_documents(kind, ref_id);
CREATE INDEX fiscal_documents_state ON fiscal_documents(state, id);

-- Goods received (version 9): one row per delivery, its lines with the cost paid per unit, so
-- reports can show margin. The stock itself moves in stock_moves (reason 'receive'); the
-- events are stock.received, up to 500 lines each (stock.h).
CREATE TABLE deliveries (
    id         INTEGER PRIMARY KEY,
    uuid       TEXT NOT NULL UNIQUE,
    number     INTEGER NOT NULL UNIQUE,      -- gapless per till
    supplier   TEXT,
    user_id    INTEGER NOT NULL REFERENCES users(id),
    at         TEXT NOT NULL,
    cost_total INTEGER NOT NULL DEFAULT 0    -- minor units, sum of qty x cost
);
CREATE TABLE delivery_lines (
    id          INTEGER PRIMARY KEY,
    delivery_id INTEGER NOT NULL REFERENCES deliveries(id),
    lineno      INTEGER NOT NULL,
    product_id  INTEGER NOT NULL REFERENCES products(id),
    code        TEXT NOT NULL,               -- the barcode as the file or the scan gave it
    qty         INTEGER NOT NULL CHECK (qty > 0),
    cost        INTEGER NOT NULL DEFAULT 0 CHECK (cost >= 0),  -- per unit, 0: not given
    event_seq   INTEGER REFERENCES events(seq), -- the stock.received event that carries it
    UNIQUE (delivery_id, lineno)             -- each event reads its range of lines
);
CREATE INDEX delivery_lines_product ON delivery_lines(product_id);

-- A stock-take (version 9). start_move is the last stock_moves.id when it started, and each
-- counted product keeps the last stock_moves.id when it was last counted (counted_move): the
-- quantity expected on the shelf at that moment is its stock now less the moves since then,
-- so sales during the count are accounted for (stock.h says the rule). One open at a time.
CREATE TABLE stock_takes (
    id          INTEGER PRIMARY KEY,
    uuid        TEXT NOT NULL UNIQUE,
    state       TEXT NOT NULL CHECK (state IN ('open', 'posted', 'cancelled')),
    category    TEXT,                        -- NULL: the whole shop (uncounted stay as they are)
    user_id     INTEGER NOT NULL REFERENCES users(id),
    start_move  INTEGER NOT NULL,
    started_at  TEXT NOT NULL,
    posted_at   TEXT,
    posted_by   INTEGER REFERENCES users(id),
    approver_id INTEGER REFERENCES users(id)
);
CREATE UNIQUE INDEX stock_takes_one_open ON stock_takes(state) WHERE state = 'open';
CREATE TABLE stock_take_items (
    take_id      INTEGER NOT NULL REFERENCES stock_takes(id),
    product_id   INTEGER NOT NULL REFERENCES products(id),
    counted      INTEGER NOT NULL CHECK (counted >= 0),
    counted_move INTEGER NOT NULL,
    PRIMARY KEY (take_id, product_id)
) WITHOUT ROWID;

-- Other branches' stock, as the hub publishes it (entity "stock", version 9): shown beside
-- this till's own, never added to it. key is the hub's (device/barcode).
CREATE TABLE remote_stock (
    key        TEXT PRIMARY KEY,
    barcode    TEXT NOT NULL,
    branch     TEXT NOT NULL,
    qty        INTEGER NOT NULL,
    updated_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX remote_stock_barcode ON remote_stock(barcode);
