use acumatica_sdk::prelude::*;

async fn read(client: AcumaticaClient) {
    let _ = client.batch().run(("C001", 42)).await;
}

fn main() {
    let _ = read;
}
