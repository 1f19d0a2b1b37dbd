//! Deterministic seed data: customers, vendors, stock items, sales orders and invoices.
//!
//! Keys: customers `C001`…, vendors `V001`…, stock items `ITEM001`…, sales orders `SO`/`000001`…,
//! invoices `Invoice`/`INV000001`… (three digits grow to four past 999). Only fields the served
//! endpoint has are written, so every schema can be seeded.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

use acumatica_codegen::ir::{Entity, FieldKind};
use chrono::{Duration as ChronoDuration, FixedOffset, NaiveDate, NaiveDateTime, TimeZone};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::codec::{FastBuild, Node};
use crate::config::SeedCounts;
use crate::customizations::CustomSeeder;
use crate::model::Model;
use crate::store::TenantData;
use crate::wire::format_datetime;

const COMPANY_WORDS: &[&str] = &[
    "Alpha",
    "Bright",
    "Cedar",
    "Delta",
    "Evergreen",
    "Falcon",
    "Granite",
    "Harbor",
    "Iris",
    "Juniper",
    "Keystone",
    "Lumen",
    "Maple",
    "Northwind",
    "Orchid",
    "Pioneer",
    "Quarry",
    "Riverside",
    "Summit",
    "Tidewater",
];
const COMPANY_KINDS: &[&str] = &[
    "Bakery",
    "Cafe",
    "Traders",
    "Supply",
    "Foods",
    "Markets",
    "Outfitters",
    "Logistics",
    "Studio",
    "Works",
];
const FIRST_NAMES: &[&str] = &[
    "Anna", "Ben", "Carla", "David", "Elena", "Frank", "Grace", "Hiro", "Ines", "Jonas", "Kate",
    "Liam",
];
const LAST_NAMES: &[&str] = &[
    "Smith", "Garcia", "Chen", "Novak", "Okafor", "Silva", "Tanaka", "Weber", "Young", "Zimmer",
];
const CITIES: &[(&str, &str, &str)] = &[
    ("Seattle", "WA", "98101"),
    ("Portland", "OR", "97201"),
    ("Austin", "TX", "73301"),
    ("Denver", "CO", "80202"),
    ("Boston", "MA", "02108"),
    ("Chicago", "IL", "60601"),
];
const STREETS: &[&str] = &[
    "Main St",
    "Oak Ave",
    "Pine Rd",
    "Lake Blvd",
    "Hill St",
    "Market St",
];
const PRODUCTS: &[&str] = &[
    "Juicer", "Blender", "Kettle", "Toaster", "Grinder", "Mixer", "Scale", "Press", "Fridge",
    "Oven", "Whisk", "Carafe",
];
const PRODUCT_KINDS: &[&str] = &["Commercial", "Compact", "Deluxe", "Classic", "Pro"];

/// Builds one detail line.
type Line<'m, 'a> = Box<dyn FnOnce(&mut Rec<'m>) + 'a>;

/// What the seeder needs to know of an entity's fields, looked up once rather than in the
/// schema's maps for every field of millions of records.
#[derive(Debug, Default)]
struct Shape<'m> {
    values: HashSet<&'m str, FastBuild>,
    /// `values` answers by the address of the seeder's literal field names.
    seen: RefCell<HashMap<(usize, usize), bool, FastBuild>>,
    linked: HashMap<&'m str, &'m str, FastBuild>,
    detail: HashMap<&'m str, &'m str, FastBuild>,
}

/// The shapes of the seeded entities and of every entity they link to.
#[derive(Debug, Default)]
struct Shapes<'m> {
    by_name: HashMap<&'m str, Shape<'m>, FastBuild>,
}

impl Shape<'_> {
    /// Whether the entity has this value field (a literal: its address stays the same).
    fn has_value(&self, field: &'static str) -> bool {
        let key = (field.as_ptr() as usize, field.len());
        if let Some(known) = self.seen.borrow().get(&key) {
            return *known;
        }
        let known = self.values.contains(field);
        self.seen.borrow_mut().insert(key, known);
        known
    }
}

impl<'m> Shapes<'m> {
    fn new(model: &'m Model, roots: &[&str]) -> Self {
        let mut shapes = Shapes::default();
        let mut todo: Vec<&'m Entity> = roots.iter().filter_map(|r| model.any_entity(r)).collect();
        while let Some(entity) = todo.pop() {
            if shapes.by_name.contains_key(entity.name.as_str()) {
                continue;
            }
            let mut shape = Shape::default();
            for (name, field) in &entity.fields {
                match &field.kind {
                    FieldKind::Value(_) => {
                        shape.values.insert(name.as_str());
                    }
                    FieldKind::Linked(t) => {
                        shape.linked.insert(name.as_str(), t.as_str());
                    }
                    FieldKind::Detail(t) => {
                        shape.detail.insert(name.as_str(), t.as_str());
                    }
                    FieldKind::Untyped(_) => {}
                }
                if let Some(t) = field.kind.entity().and_then(|t| model.any_entity(t)) {
                    todo.push(t);
                }
            }
            shapes.by_name.insert(entity.name.as_str(), shape);
        }
        shapes
    }

    fn get(&self, entity: &str) -> Option<&Shape<'m>> {
        self.by_name.get(entity)
    }
}

/// Members of a record being built.
type Members<'m> = Vec<(Cow<'m, str>, Node<'m>)>;

/// A record built: its id and its members (no `id` member), for [`TenantData::insert_nodes`].
struct Built<'m> {
    id: Uuid,
    members: Members<'m>,
}

/// Builds one record, writing only fields the entity has, as [`Node`]s: no map per value
/// wrapper, names borrowed (millions of records are built at start).
struct Rec<'m> {
    shape: Option<&'m Shape<'m>>,
    members: Members<'m>,
}

impl<'m> Rec<'m> {
    fn new(shapes: &'m Shapes<'m>, entity: &str) -> Self {
        Rec {
            shape: shapes.get(entity),
            members: Vec::with_capacity(16),
        }
    }

    fn set(&mut self, field: &'static str, value: impl Into<Value>) -> &mut Self {
        if self.shape.is_some_and(|s| s.has_value(field)) {
            self.members
                .push((Cow::Borrowed(field), Node::Wrapped(value.into())));
        }
        self
    }

    fn link(
        &mut self,
        shapes: &'m Shapes<'m>,
        field: &'static str,
        build: impl FnOnce(&mut Rec<'m>),
    ) -> &mut Self {
        if let Some(target) = self.shape.and_then(|s| s.linked.get(field)) {
            let mut inner = Rec::new(shapes, target);
            build(&mut inner);
            self.members
                .push((Cow::Borrowed(field), Node::Object(inner.members)));
        }
        self
    }

    fn detail(
        &mut self,
        shapes: &'m Shapes<'m>,
        field: &'static str,
        lines: Vec<Line<'m, '_>>,
        ids: &mut SmallRng,
    ) -> &mut Self {
        if let Some(target) = self.shape.and_then(|s| s.detail.get(field)) {
            let mut out = Vec::with_capacity(lines.len());
            for build in lines {
                let mut line = Rec::new(shapes, target);
                let id = uuid(ids);
                let id = id.hyphenated().encode_lower(&mut [0u8; 36]).to_owned();
                line.members
                    .push((Cow::Borrowed("id"), Node::Plain(Value::String(id))));
                build(&mut line);
                line.members.push((
                    Cow::Borrowed("note"),
                    Node::Wrapped(Value::String(String::new())),
                ));
                out.push(Node::Object(line.members));
            }
            self.members.push((Cow::Borrowed(field), Node::Array(out)));
        }
        self
    }

    fn finish(mut self, id: Uuid, note: &str) -> Built<'m> {
        self.members.push((
            Cow::Borrowed("note"),
            Node::Wrapped(Value::String(note.to_owned())),
        ));
        if !self.members.iter().any(|(k, _)| k == "custom") {
            self.members
                .push((Cow::Borrowed("custom"), Node::Object(Vec::new())));
        }
        Built {
            id,
            members: self.members,
        }
    }
}

fn uuid(rng: &mut SmallRng) -> Uuid {
    uuid::Builder::from_random_bytes(rng.random()).into_uuid()
}

fn pick<'a, T>(rng: &mut SmallRng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

/// A price in cents as a JSON number with two decimals.
fn money(cents: u64) -> Value {
    json!((cents as f64) / 100.0)
}

/// Fills one tenant with seed data: customers, vendors, stock items, then the sales orders and
/// invoices that refer to them. Every entity draws from one random stream in this order, so a
/// seed always gives the same records.
pub(crate) fn seed(
    model: &Model,
    data: &mut TenantData,
    seed: u64,
    counts: SeedCounts,
    offset: FixedOffset,
) {
    for (entity, n) in [
        ("Customer", counts.customers),
        ("Vendor", counts.vendors),
        ("StockItem", counts.stock_items),
        ("SalesOrder", counts.sales_orders),
        ("Invoice", counts.invoices),
    ] {
        if n > 0
            && let Some(entity) = model.canonical_entity(entity)
        {
            data.reserve(&entity, model.keys_of(&entity), n);
        }
    }
    let roots = ["Customer", "Vendor", "StockItem", "SalesOrder", "Invoice"];
    let shapes = Shapes::new(model, &roots);
    // Two stages on two threads, in one order (so a seed keeps giving the same records): this
    // thread draws the records, the other encodes them into the tables and indexes them. They
    // take about the same time; a million records of each entity start in about three quarters
    // of the time one thread takes (27-29 s against 35-40 s on 2 cores). Small batches keep
    // the records in cache between the two.
    let contacts = std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Batch<'_, '_>>(2);
        // Stored batches go back to be dropped and reused where they were allocated.
        let (back_tx, back) = std::sync::mpsc::channel::<Batch<'_, '_>>();
        let store = scope.spawn(move || {
            for batch in rx {
                for (entity, keys, record) in &batch {
                    // Seed keys are unique by construction; a clash would be a bug in this file.
                    let _ = data.insert_nodes(entity, keys, record.id, &record.members);
                }
                let _ = back_tx.send(batch);
            }
            data
        });
        let mut s = Seeder {
            model,
            shapes: &shapes,
            rng: SmallRng::seed_from_u64(seed),
            clock: Clock::new(offset),
            custom: CustomSeeder::new(&model.custom, seed, offset),
            sink: Sink {
                model,
                entities: Vec::new(),
                batch: Vec::with_capacity(BATCH),
                tx,
                back,
            },
        };
        let contacts = s.customers(counts.customers);
        s.vendors(counts.vendors);
        let prices = s.stock_items(counts.stock_items);
        let refs = Refs {
            customers: counts.customers,
            prices: &prices,
        };
        s.sales_orders(counts.sales_orders, &refs);
        s.invoices(counts.invoices, &refs);
        s.sink.flush();
        drop(s);
        // The store stage ends when the channel closes; a panic there is one here.
        let data = match store.join() {
            Ok(data) => data,
            Err(panic) => std::panic::resume_unwind(panic),
        };
        (contacts, data)
    });
    let (contacts, data) = contacts;
    data.end_seeding();
    data.counters
        .insert("SalesOrder.OrderNbr".into(), counts.sales_orders as u64);
    data.counters
        .insert("Invoice.ReferenceNbr".into(), counts.invoices as u64);
    data.counters
        .insert("CustomerContact.ContactID".into(), contacts);
}

/// Records sent to the store stage at a time.
const BATCH: usize = 32;

/// Built records on their way to the tables: entity, key fields, record.
type Batch<'m, 's> = Vec<(&'static str, &'m [String], Built<'s>)>;

/// Where built records go: in batches, to the thread that stores them.
struct Sink<'m, 's> {
    model: &'m Model,
    /// Per seeded entity (by the literal's address): whether an endpoint serves it, and its
    /// key fields.
    entities: Vec<(usize, bool, &'m [String])>,
    batch: Batch<'m, 's>,
    tx: std::sync::mpsc::SyncSender<Batch<'m, 's>>,
    back: std::sync::mpsc::Receiver<Batch<'m, 's>>,
}

impl<'m, 's> Sink<'m, 's> {
    fn entity(&mut self, entity: &'static str) -> (bool, &'m [String]) {
        let addr = entity.as_ptr() as usize;
        if let Some((_, served, keys)) = self.entities.iter().find(|(a, ..)| *a == addr) {
            return (*served, keys);
        }
        let served = self.model.canonical_entity(entity).is_some();
        let keys = self.model.keys_of(entity);
        self.entities.push((addr, served, keys));
        (served, keys)
    }

    fn push(&mut self, entity: &'static str, keys: &'m [String], record: Built<'s>) {
        self.batch.push((entity, keys, record));
        if self.batch.len() == BATCH {
            self.flush();
        }
    }

    fn flush(&mut self) {
        let next = match self.back.try_recv() {
            Ok(mut stored) => {
                stored.clear();
                stored
            }
            Err(_) => Vec::with_capacity(BATCH),
        };
        let batch = std::mem::replace(&mut self.batch, next);
        // The store stage only stops early by panicking, which the join reports.
        let _ = self.tx.send(batch);
    }
}

/// Seeded date-times: a year from 2 January 2024, 09:30 local time, at the site's offset.
#[derive(Clone, Copy)]
struct Clock {
    base: NaiveDateTime,
    offset: FixedOffset,
}

impl Clock {
    fn new(offset: FixedOffset) -> Self {
        let base = NaiveDate::from_ymd_opt(2024, 1, 2)
            .and_then(|d| d.and_hms_opt(9, 30, 0))
            .unwrap_or_default();
        Clock { base, offset }
    }

    /// A moment with milliseconds.
    fn when(self, rng: &mut SmallRng) -> String {
        let t = self.base
            + ChronoDuration::seconds(rng.random_range(0..(365 * 86_400)))
            + ChronoDuration::milliseconds(rng.random_range(0..1000));
        self.offset
            .from_local_datetime(&t)
            .single()
            .map(|d| format_datetime(&d))
            .unwrap_or_default()
    }

    /// A date at local midnight.
    fn day(self, rng: &mut SmallRng) -> String {
        let t = self.base.date() + ChronoDuration::days(rng.random_range(0..365));
        t.and_hms_opt(0, 0, 0)
            .and_then(|n| self.offset.from_local_datetime(&n).single())
            .map(|d| format_datetime(&d))
            .unwrap_or_default()
    }
}

/// What documents refer to: how many customers there are and the price of each stock item.
struct Refs<'p> {
    customers: usize,
    prices: &'p [u64],
}

impl Refs<'_> {
    fn customer(&self, rng: &mut SmallRng) -> String {
        format!("C{:03}", rng.random_range(1..=self.customers.max(1)))
    }

    /// A stock item and its price in cents.
    fn item(&self, rng: &mut SmallRng) -> (String, u64) {
        let n = rng.random_range(1..=self.prices.len().max(1));
        (
            format!("ITEM{n:03}"),
            self.prices.get(n - 1).copied().unwrap_or(1_000),
        )
    }
}

/// The model, the random stream, the clock and the custom fields' values every entity's seeder
/// shares.
struct Seeder<'m> {
    model: &'m Model,
    shapes: &'m Shapes<'m>,
    rng: SmallRng,
    clock: Clock,
    custom: CustomSeeder<'m>,
    sink: Sink<'m, 'm>,
}

/// Draws what the seeder drew for a custom field before custom fields came from
/// [`crate::Customizations`] (a pick among three), so a seed keeps giving the same contract
/// fields.
fn former_custom_draw(rng: &mut SmallRng) {
    let _ = pick(rng, &[(); 3]);
}

/// Stores a record if the endpoint has the entity, with the seeded values of its custom fields.
fn insert<'m, 's>(
    model: &Model,
    data: &mut Sink<'m, 's>,
    custom: &mut CustomSeeder<'_>,
    entity: &'static str,
    mut record: Built<'s>,
) {
    let (served, keys) = data.entity(entity);
    if served {
        custom.apply_nodes(model, entity, &mut record.members);
        data.push(entity, keys, record);
    }
}

impl<'m> Seeder<'m> {
    /// `C001`…: a main contact with an address, 1–3 contacts, a loyalty tier. Returns how many
    /// contact ids were handed out.
    fn customers(&mut self, count: usize) -> u64 {
        let (model, shapes, clock, rng) = (self.model, self.shapes, self.clock, &mut self.rng);
        let data = &mut self.sink;
        let mut contact_id = 100_000u64;
        for i in 1..=count {
            let id = uuid(rng);
            let name = format!("{} {}", pick(rng, COMPANY_WORDS), pick(rng, COMPANY_KINDS));
            let (city, state, zip) = *pick(rng, CITIES);
            let street = format!("{} {}", rng.random_range(1..999), pick(rng, STREETS));
            let slug: String = name
                .to_lowercase()
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .collect();
            let email = format!("info{i}@{slug}.example.com");
            let status = match rng.random_range(0..10) {
                0 => "On Hold",
                1 => "Inactive",
                _ => "Active",
            };
            let n_contacts = rng.random_range(1..=3);
            let contacts: Vec<(u64, String, String)> = (0..n_contacts)
                .map(|_| {
                    contact_id += 1;
                    (
                        contact_id,
                        (*pick(rng, FIRST_NAMES)).to_owned(),
                        (*pick(rng, LAST_NAMES)).to_owned(),
                    )
                })
                .collect();
            let modified = clock.when(rng);
            let created = clock.when(rng);
            former_custom_draw(rng);
            let mut r = Rec::new(shapes, "Customer");
            r.set("CustomerID", format!("C{i:03}"))
                .set("CustomerName", name.clone())
                .set(
                    "CustomerClass",
                    *pick(rng, &["DEFAULT", "WHOLESALE", "RETAIL"]),
                )
                .set("Status", status)
                .set("CreditLimit", (rng.random_range(1..=40) * 500) as f64)
                .set("CurrencyID", "USD")
                .set("Terms", "30D")
                .set("Email", email.clone())
                .set("LastModifiedDateTime", modified)
                .set("CreatedDateTime", created)
                .link(shapes, "MainContact", |c| {
                    c.set("CompanyName", name.clone())
                        .set("DisplayName", name.clone())
                        .set("Email", email.clone())
                        .set("Phone1", format!("+1 555 01{:02}", i % 100))
                        .link(shapes, "Address", |a| {
                            a.set("AddressLine1", street.clone())
                                .set("City", city)
                                .set("State", state)
                                .set("PostalCode", zip)
                                .set("Country", "US");
                        });
                });
            let lines: Vec<Line<'m, '_>> = contacts
                .iter()
                .map(|(cid, first, last)| {
                    let (cid, first, last, slug) =
                        (*cid, first.clone(), last.clone(), slug.clone());
                    Box::new(move |l: &mut Rec<'m>| {
                        l.set("ContactID", cid).link(shapes, "Contact", |c| {
                            c.set("ContactID", cid)
                                .set("FirstName", first.clone())
                                .set("LastName", last.clone())
                                .set("DisplayName", format!("{first} {last}"))
                                .set(
                                    "Email",
                                    format!(
                                        "{}.{}@{slug}.example.com",
                                        first.to_lowercase(),
                                        last.to_lowercase()
                                    ),
                                );
                        });
                    }) as Line<'m, '_>
                })
                .collect();
            r.detail(shapes, "Contacts", lines, rng);
            let note = if i % 4 == 0 {
                format!("Key account since {}", 2010 + i % 14)
            } else {
                String::new()
            };
            insert(
                model,
                data,
                &mut self.custom,
                "Customer",
                r.finish(id, &note),
            );
        }
        contact_id - 100_000
    }

    /// `V001`…: a main contact with an address.
    fn vendors(&mut self, count: usize) {
        let (model, shapes, clock, rng) = (self.model, self.shapes, self.clock, &mut self.rng);
        let data = &mut self.sink;
        for i in 1..=count {
            let id = uuid(rng);
            let name = format!(
                "{} {}",
                pick(rng, COMPANY_WORDS),
                pick(
                    rng,
                    &["Wholesale", "Imports", "Manufacturing", "Distributors"]
                )
            );
            let (city, state, zip) = *pick(rng, CITIES);
            let modified = clock.when(rng);
            let mut r = Rec::new(shapes, "Vendor");
            r.set("VendorID", format!("V{i:03}"))
                .set("VendorName", name.clone())
                .set("LegalName", format!("{name} LLC"))
                .set("VendorClass", *pick(rng, &["DEFAULT", "SERVICES", "GOODS"]))
                .set(
                    "Status",
                    if rng.random_range(0..8) == 0 {
                        "On Hold"
                    } else {
                        "Active"
                    },
                )
                .set("CurrencyID", "USD")
                .set("Terms", "30D")
                .set("LastModifiedDateTime", modified)
                .link(shapes, "MainContact", |c| {
                    c.set("CompanyName", name.clone())
                        .set("Email", format!("sales{i}@vendor.example.com"))
                        .link(shapes, "Address", |a| {
                            a.set("City", city)
                                .set("State", state)
                                .set("PostalCode", zip)
                                .set("Country", "US");
                        });
                });
            insert(model, data, &mut self.custom, "Vendor", r.finish(id, ""));
        }
    }

    /// `ITEM001`…: prices and a repair item type. Returns each item's price in cents.
    fn stock_items(&mut self, count: usize) -> Vec<u64> {
        let (model, shapes, clock, rng) = (self.model, self.shapes, self.clock, &mut self.rng);
        let data = &mut self.sink;
        let mut prices = Vec::with_capacity(count);
        for i in 1..=count {
            let id = uuid(rng);
            let price = rng.random_range(500..50_000u64);
            prices.push(price);
            let modified = clock.when(rng);
            let mut r = Rec::new(shapes, "StockItem");
            r.set("InventoryID", format!("ITEM{i:03}"))
                .set(
                    "Description",
                    format!("{} {}", pick(rng, PRODUCT_KINDS), pick(rng, PRODUCTS)),
                )
                .set(
                    "ItemClass",
                    *pick(rng, &["APPLIANCES", "HARDWARE", "SUPPLIES"]),
                )
                .set(
                    "ItemStatus",
                    if rng.random_range(0..12) == 0 {
                        "Inactive"
                    } else {
                        "Active"
                    },
                )
                .set("ItemType", "Finished Good")
                .set("ValuationMethod", "Average")
                .set("BaseUOM", "EA")
                .set("SalesUOM", "EA")
                .set("PurchaseUOM", "EA")
                .set("DefaultWarehouseID", "WHOLESALE")
                .set("DefaultPrice", money(price))
                .set("LastCost", money(price * 6 / 10))
                .set("LastModifiedDateTime", modified);
            former_custom_draw(rng);
            insert(model, data, &mut self.custom, "StockItem", r.finish(id, ""));
        }
        prices
    }

    /// `SO`/`000001`…: 1–4 lines of seeded stock items for a seeded customer.
    fn sales_orders(&mut self, count: usize, refs: &Refs<'_>) {
        let (model, shapes, clock, rng) = (self.model, self.shapes, self.clock, &mut self.rng);
        let data = &mut self.sink;
        for i in 1..=count {
            let id = uuid(rng);
            let (status, hold) = match rng.random_range(0..10) {
                0 | 1 => ("On Hold", true),
                2 => ("Completed", false),
                3 => ("Cancelled", false),
                _ => ("Open", false),
            };
            let n_lines = rng.random_range(1..=4);
            let lines: Vec<(String, u64, u64)> = (0..n_lines)
                .map(|_| {
                    let (inv, price) = refs.item(rng);
                    (inv, rng.random_range(1..20), price)
                })
                .collect();
            let total: u64 = lines.iter().map(|(_, q, p)| q * p).sum();
            let qty: u64 = lines.iter().map(|(_, q, _)| q).sum();
            let date = clock.day(rng);
            let cust = refs.customer(rng);
            let mut r = Rec::new(shapes, "SalesOrder");
            r.set("OrderType", "SO")
                .set("OrderNbr", format!("{i:06}"))
                .set("CustomerID", cust)
                .set("Status", status)
                .set("Hold", hold)
                .set("Date", date.clone())
                .set("RequestedOn", date)
                .set("CurrencyID", "USD")
                .set(
                    "Description",
                    format!(
                        "Order {i} for the {} season",
                        pick(rng, &["spring", "summer", "autumn", "winter"])
                    ),
                )
                .set("OrderTotal", money(total))
                .set("OrderedQty", qty as f64)
                .set("TaxTotal", 0.0)
                .set("LastModified", clock.when(rng));
            let detail: Vec<Line<'m, '_>> = lines
                .into_iter()
                .enumerate()
                .map(|(n, (inv, q, p))| {
                    Box::new(move |l: &mut Rec<'m>| {
                        l.set("LineNbr", n as u64 + 1)
                            .set("InventoryID", inv)
                            .set("OrderQty", q as f64)
                            .set("UnitPrice", money(p))
                            .set("ExtendedPrice", money(p * q))
                            .set("Amount", money(p * q))
                            .set("UOM", "EA")
                            .set("WarehouseID", "WHOLESALE")
                            .set("LineType", "Goods for IN");
                    }) as Line<'m, '_>
                })
                .collect();
            r.detail(shapes, "Details", detail, rng);
            let note = if i % 5 == 0 {
                "Deliver before noon"
            } else {
                ""
            };
            insert(
                model,
                data,
                &mut self.custom,
                "SalesOrder",
                r.finish(id, note),
            );
        }
    }

    /// `Invoice`/`INV000001`…: 1–3 lines of seeded stock items; closed invoices have no balance.
    fn invoices(&mut self, count: usize, refs: &Refs<'_>) {
        let (model, shapes, clock, rng) = (self.model, self.shapes, self.clock, &mut self.rng);
        let data = &mut self.sink;
        for i in 1..=count {
            let id = uuid(rng);
            let (status, hold) = match rng.random_range(0..8) {
                0 => ("On Hold", true),
                1 => ("Balanced", false),
                2 | 3 => ("Closed", false),
                _ => ("Open", false),
            };
            let n_lines = rng.random_range(1..=3);
            let lines: Vec<(String, u64, u64)> = (0..n_lines)
                .map(|_| {
                    let (inv, price) = refs.item(rng);
                    (inv, rng.random_range(1..10), price)
                })
                .collect();
            let total: u64 = lines.iter().map(|(_, q, p)| q * p).sum();
            let date = clock.day(rng);
            let balance = if status == "Closed" { 0 } else { total };
            let mut r = Rec::new(shapes, "Invoice");
            r.set("Type", "Invoice")
                .set("ReferenceNbr", format!("INV{i:06}"))
                .set("Customer", refs.customer(rng))
                .set("Status", status)
                .set("Hold", hold)
                .set("Date", date.clone())
                .set("DueDate", date)
                .set("Terms", "30D")
                .set("Description", format!("Invoice {i}"))
                .set("Amount", money(total))
                .set("Balance", money(balance))
                .set("TaxTotal", 0.0)
                .set("LastModifiedDateTime", clock.when(rng));
            let detail: Vec<Line<'m, '_>> = lines
                .into_iter()
                .enumerate()
                .map(|(n, (inv, q, p))| {
                    Box::new(move |l: &mut Rec<'m>| {
                        l.set("LineNbr", n as u64 + 1)
                            .set("InventoryID", inv.clone())
                            .set("TransactionDescription", format!("{inv} x {q}"))
                            .set("Qty", q as f64)
                            .set("UnitPrice", money(p))
                            .set("ExtendedPrice", money(p * q))
                            .set("Amount", money(p * q))
                            .set("UOM", "EA");
                    }) as Line<'m, '_>
                })
                .collect();
            r.detail(shapes, "Details", detail, rng);
            insert(model, data, &mut self.custom, "Invoice", r.finish(id, ""));
        }
    }
}

#[cfg(test)]
mod tests {
    use sha2::{Digest, Sha256};

    use super::*;
    use crate::config::{Config, SchemaSource};

    /// Removes every `custom` block, leaving the contract fields.
    fn strip_custom(v: &mut Value) {
        match v {
            Value::Object(map) => {
                map.remove("custom");
                map.values_mut().for_each(strip_custom);
            }
            Value::Array(items) => items.iter_mut().for_each(strip_custom),
            _ => {}
        }
    }

    /// The seeded tenant (with the built-in customizations) as two strings, the whole records
    /// and their contract fields only: entities in name order, records in insertion order, then
    /// the counters.
    fn seeded(
        sources: &[SchemaSource],
        seed_value: u64,
        counts: SeedCounts,
        minutes: i32,
    ) -> (String, String) {
        let offset = FixedOffset::east_opt(minutes * 60).expect("offset");
        let mut model = Model::load(sources).expect("schemas load");
        model
            .customize(None, offset)
            .expect("built-in customizations");
        let mut data = TenantData::default();
        seed(&model, &mut data, seed_value, counts, offset);
        let mut tables: Vec<_> = data.tables().collect();
        tables.sort_by(|a, b| a.0.cmp(b.0));
        let (mut whole, mut contract) = (String::new(), String::new());
        for (entity, table) in tables {
            for out in [&mut whole, &mut contract] {
                out.push_str(entity);
                out.push('\n');
            }
            for record in table.iter() {
                whole.push_str(&serde_json::to_string(&record).expect("json"));
                whole.push('\n');
                let mut bare = Value::Object(record);
                strip_custom(&mut bare);
                contract.push_str(&serde_json::to_string(&bare).expect("json"));
                contract.push('\n');
            }
        }
        let counters = serde_json::to_string(&data.counters).expect("json");
        whole.push_str(&counters);
        contract.push_str(&counters);
        (whole, contract)
    }

    fn digest(s: &str) -> String {
        Sha256::digest(s.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// The contract digests were computed from the single-function seeder, before it was split
    /// by entity and before custom fields came from `Customizations`: the same seed must keep
    /// giving byte-identical contract fields. The whole-record digests pin the seeded custom
    /// values of the built-in customizations.
    #[test]
    fn seeded_records_are_unchanged_for_a_fixed_seed() {
        let config = Config::default();
        let (whole, contract) = seeded(
            &config.schema_sources(),
            config.seed,
            config.counts,
            config.utc_offset_minutes,
        );
        assert!(whole.contains(r#""CustomerID":{"value":"C020"}"#));
        assert_eq!(
            digest(&contract),
            "e404d3007f4262fcc282b7855e0e7051eb3331782d623f6a343261ad45d4088b"
        );
        assert_eq!(
            digest(&whole),
            "11ec7d6b01292de25c6b5ce6fe3d5fd1a2d046686f8df4e0ffcf136d97b0e2dd"
        );
        let larger = SeedCounts {
            customers: 1_001,
            vendors: 30,
            stock_items: 1_002,
            sales_orders: 1_003,
            invoices: 40,
        };
        let (whole, contract) = seeded(&config.schema_sources(), 7, larger, 180);
        assert!(whole.contains(r#""InventoryID":{"value":"ITEM1002"}"#));
        assert_eq!(
            digest(&contract),
            "cdb0c0c1a6e7ecbfa1cc881e66a31c5c2a324e7f1b0c84255e1feb5c699d3ad9"
        );
        assert_eq!(
            digest(&whole),
            "9b10531e5b3646db94afcb066284ed550089d4135dde29ee7693c4417f616b1b"
        );
        let (whole, contract) = seeded(&config.schema_sources(), 7, SeedCounts::NONE, 0);
        assert_eq!(
            digest(&contract),
            "e99a83b95af7a5524a1f37415ec20e7eeffc9579585fabf81810e0b06a4ed7e6"
        );
        assert_eq!(whole, contract);
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../schemas/Default_23.200.001.json"
        );
        let old = SchemaSource::from_file(path).expect("schema file");
        let (whole, contract) = seeded(&[old], 42, config.counts, -300);
        assert_eq!(
            digest(&contract),
            "587b50f144c68b8897c2a3fe5a1229d468a97a833e7792d39c9931611c2460c2"
        );
        assert_eq!(
            digest(&whole),
            "8dbec29370b8034f9954928156b90c5dd73c0413cc2ed27fae21100fcefe656b"
        );
    }

    /// The built-in customizations' values land where the JSON format says.
    #[test]
    fn seeded_custom_values_follow_the_customizations() {
        let config = Config::default();
        let offset = FixedOffset::east_opt(0).expect("offset");
        let mut model = Model::load(&config.schema_sources()).expect("schemas load");
        model
            .customize(None, offset)
            .expect("built-in customizations");
        let mut data = TenantData::default();
        seed(&model, &mut data, 42, SeedCounts::all(4), offset);
        let custom = |entity: &str, i: usize, view: &str, field: &str| {
            data.table(entity)
                .expect("table")
                .iter()
                .nth(i)
                .expect("record")["custom"][view][field]
                .clone()
        };
        let tiers: Vec<Value> = (0..4)
            .map(|i| custom("Customer", i, "CurrentCustomer", "UsrLoyaltyTier")["value"].clone())
            .collect();
        assert_eq!(
            tiers,
            [
                json!("Gold"),
                json!("Silver"),
                json!("Bronze"),
                json!("Gold")
            ]
        );
        assert_eq!(
            custom("Customer", 0, "CurrentCustomer", "UsrLoyaltyTier")["type"],
            "CustomStringField"
        );
        assert!(custom("Customer", 0, "Document", "AttributeINDUSTRY")["value"].is_string());
        assert_eq!(
            custom("SalesOrder", 1, "Document", "UsrExternalRef")["value"],
            "EXT-00002"
        );
        let invoice = data
            .table("Invoice")
            .expect("table")
            .iter()
            .next()
            .expect("record")
            .clone();
        assert_eq!(
            invoice["custom"]["Document"]["CuryBalanceWOTotal"]["value"],
            invoice["Balance"]["value"]
        );
        let weights: Vec<Value> = data
            .table("SalesOrder")
            .expect("table")
            .iter()
            .flat_map(|so| so["Details"].as_array().cloned().unwrap_or_default())
            .map(|line| line["custom"]["Transactions"]["UsrUnitWeight"]["value"].clone())
            .collect();
        let cycle = [json!(1.5), json!(2.25), json!(0.75), json!(4.0)];
        assert!(weights.len() > 4);
        for (i, w) in weights.iter().enumerate() {
            assert_eq!(w, &cycle[i % 4], "line {i}");
        }
    }
}
