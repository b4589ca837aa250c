//! Compiles Weaviate's gRPC protos (vendored under `proto/v1/`, as the official client 4.24.1
//! ships them) into server code. `protox` parses them in Rust, so no `protoc` is needed.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = std::path::Path::new("proto");
    println!("cargo:rerun-if-changed=proto");
    let descriptors = protox::compile([root.join("v1/weaviate.proto")], [root])?;
    tonic_prost_build::configure()
        .build_client(false)
        .compile_fds(descriptors)?;
    Ok(())
}
