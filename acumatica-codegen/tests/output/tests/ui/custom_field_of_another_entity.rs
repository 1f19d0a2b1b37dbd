use acumatica_codegen_snapshots::tiny_openapi3_adhoc::{Customer, CustomerContact};

fn main() {
    let customer = Customer::default();
    // `UsrPrimary` belongs to the contact lines, not to the customer.
    let _ = CustomerContact::USR_PRIMARY.get(&customer);
}
