use acumatica_codegen_snapshots::tiny_openapi3_adhoc::Customer;

fn main() {
    // Acumatica filters custom fields with `cf.String`, `cf.Decimal` and `cf.DateTime` only;
    // `UsrLevel` is a CustomByteField.
    let _ = Customer::filter().usr_level().eq(3u8);
    // A supported kind compiles.
    let _ = Customer::filter().usr_loyalty_tier().eq("Gold");
}
