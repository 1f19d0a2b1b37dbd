use acumatica_sdk::default::{DefaultEndpoint as _, SalesOrder};
use acumatica_sdk::prelude::*;

async fn read(client: AcumaticaClient) {
    let (customer,) = client.batch().run((client.customers().get_by_id_batch("C001"),)).await;
    let _order: acumatica_sdk::Result<SalesOrder> = customer;
}

fn main() {
    let _ = read;
}
