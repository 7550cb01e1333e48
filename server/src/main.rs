//! `server`: starts Talentloom. All logic lives in the library (`talentloom_server`).
#![forbid(unsafe_code)]

use clap::Parser;
use leptos::config::get_configuration;
use talentloom_server::config::{Cli, Command, LogFormat};
use tokio::net::TcpListener;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_sessions=warn"));
    match cli.config.log_format {
        LogFormat::Json => tracing_subscriber::fmt()
            .json()
            .with_env_filter(filter)
            .init(),
        LogFormat::Text => tracing_subscriber::fmt().with_env_filter(filter).init(),
    }
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => match serve(cli.config).await {
            Ok(()) => std::process::ExitCode::SUCCESS,
            Err(err) => {
                tracing::error!("{err}");
                eprintln!("error: {err}");
                std::process::ExitCode::FAILURE
            }
        },
    }
}

async fn serve(
    config: talentloom_server::config::Config,
) -> Result<(), Box<dyn std::error::Error>> {
    let leptos = get_configuration(None)?.leptos_options;
    let addr = config.listen.unwrap_or(leptos.site_addr);
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let running = talentloom_server::launch(config, leptos, listener).await?;
    println!("Talentloom is running at http://{}", running.addr);
    shutdown_signal().await;
    tracing::info!("shutting down");
    running.shutdown().await?;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}
