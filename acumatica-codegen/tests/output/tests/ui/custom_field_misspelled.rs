use acumatica_codegen_snapshots::tiny_openapi3_adhoc::Customer;

fn main() {
    let customer = Customer::default();
    let _ = Customer::USR_LOYALTY_TEIR.get(&customer);
    let _ = Customer::fields().usr_loyalty_teir();
}
