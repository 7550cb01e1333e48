//! `/a/:token`: the candidate's private page for one application. No account: the link from the
//! confirmation e-mail is the credential. It says where the application stands in plain words
//! and lets the candidate withdraw it or ask for their data to be deleted, and talk with the
//! hiring team.

use super::api::{my_application, RequestDataDeletion, WithdrawApplication};
use crate::{
    chat::CandidateMessages, confirm::ConfirmButton, time::LocalTime, widgets::ErrorPanel,
};
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_params_map;
use shared::applications::ApplicationStatus;

#[component]
pub fn ApplicationStatusPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let withdraw = ServerAction::<WithdrawApplication>::new();
    let delete = ServerAction::<RequestDataDeletion>::new();
    let status = Resource::new(
        move || (token(), withdraw.version().get(), delete.version().get()),
        |(token, _, _)| my_application(token),
    );
    view! {
        <Title text="Your application"/>
        // A private page: never in a search engine, and the address never leaves this site
        // ("same-origin" rather than "no-referrer": the forms below must still name their origin).
        <Meta name="robots" content="noindex"/>
        <Meta name="referrer" content="same-origin"/>
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match status.await {
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    Ok(status) => view! {
                        <StatusView status token=token() withdraw delete/>
                        <CandidateMessages token=token()/>
                    }
                    .into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn StatusView(
    status: ApplicationStatus,
    token: String,
    withdraw: ServerAction<WithdrawApplication>,
    delete: ServerAction<RequestDataDeletion>,
) -> impl IntoView {
    let job = match &status.job_slug {
        Some(slug) => view! {
            <a href=format!("/careers/{}/{slug}", status.org_slug)>{status.job_title.clone()}</a>
        }
        .into_any(),
        None => view! { <span>{status.job_title.clone()}</span> }.into_any(),
    };
    let open = status.view.open();
    let withdraw_form = open.then(|| {
        let token = token.clone();
        view! {
            <ConfirmButton id="withdraw".to_owned() label="Withdraw application" class="button"
                title="Withdraw your application?".to_owned()
                text=format!("{} will no longer consider you for {}. This cannot be undone; you can apply again while the job is open.", status.org_name, status.job_title)>
                <ActionForm action=withdraw>
                    <input type="hidden" name="token" value=token/>
                    <button type="submit" class="button button-danger">"Withdraw"</button>
                </ActionForm>
            </ConfirmButton>
        }
    });
    let deletion = match status.deletion_requested_at {
        Some(at) => view! {
            <p data-deletion="requested">"You asked for your data to be deleted "<LocalTime at/>". "
                {status.org_name.clone()}" must delete it within one month and has been told."</p>
        }
        .into_any(),
        None => view! {
            <p>"You can ask "{status.org_name.clone()}" to delete everything it holds about you from this application: your details, your CV and its notes."</p>
            <ConfirmButton id="delete-data".to_owned() label="Ask for my data to be deleted" class="button"
                title="Ask for your data to be deleted?".to_owned()
                text=format!("{} is told at once and must delete your data within one month. Your application is withdrawn too.", status.org_name)>
                <ActionForm action=delete>
                    <input type="hidden" name="token" value=token.clone()/>
                    <button type="submit" class="button button-danger">"Ask for deletion"</button>
                </ActionForm>
            </ConfirmButton>
        }
        .into_any(),
    };
    let withdraw_error = move || {
        withdraw
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| e.to_string())
    };
    let delete_error = move || {
        delete
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| e.to_string())
    };
    view! {
        <section class="panel narrow application-status" data-state=status.view.as_str()>
            <p class="hint">{status.org_name.clone()}</p>
            <h1>"Your application"</h1>
            <p class="application-job">{job}</p>
            <p class="application-headline" role="status">{status.view.headline()}</p>
            <dl class="facts">
                <dt>"Name"</dt><dd>{status.candidate_name.clone()}</dd>
                <dt>"Applied"</dt><dd><LocalTime at=status.applied_at/></dd>
                <dt>"This link works until"</dt><dd><LocalTime at=status.expires_at/></dd>
            </dl>
            {withdraw_form}
            <p class="field-error" role="alert" hidden=move || withdraw_error().is_none()>{withdraw_error}</p>
            <h2>"Your data"</h2>
            {deletion}
            <p class="field-error" role="alert" hidden=move || delete_error().is_none()>{delete_error}</p>
            <p class="hint">"Keep this link to yourself: anyone who has it can withdraw your application."</p>
        </section>
    }
}
