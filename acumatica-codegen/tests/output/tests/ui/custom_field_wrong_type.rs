use acumatica_codegen_snapshots::tiny_openapi3_adhoc::Customer;

fn main() {
    let mut customer = Customer::default();
    // `UsrLoyaltyTier` is a CustomStringField.
    Customer::USR_LOYALTY_TIER.set(&mut customer, 5);
}
