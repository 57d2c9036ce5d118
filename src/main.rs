fn main() -> std::process::ExitCode {
    capsule_migrate::cli::main()
}
