//! An organisation's start page.

use super::api::get_team;
use crate::{session::Session, widgets::ErrorPanel};
use leptos::prelude::*;
use leptos_meta::Title;
use shared::Permission;

#[component]
pub fn DashboardPage() -> impl IntoView {
    let session = Session::get();
    let slug = crate::session::use_slug();
    let team = Resource::new(
        move || (slug.get(), session.live.get()),
        |(slug, _)| get_team(slug),
    );
    view! {
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let membership = match session.membership(&slug.get()).await {
                    Ok(membership) => membership,
                    Err(error) => return view! { <ErrorPanel error/> }.into_any(),
                };
                let team = match team.await {
                    Ok(team) => team,
                    Err(error) => return view! { <ErrorPanel error/> }.into_any(),
                };
                let base = format!("/o/{}", membership.slug);
                let can_invite = membership.role.can(Permission::InviteMembers);
                let admin = membership.role.can(Permission::ManageOrganisation);
                let settings = format!("{base}/settings");
                let jobs = format!("{base}/admin/jobs");
                view! {
                    <Title text=membership.name.clone()/>
                    <section class="page-head">
                        <h1>{membership.name.clone()}</h1>
                        <p>"You are "<strong>{membership.role.label()}</strong>" here."</p>
                    </section>
                    <section class="cards">
                        <a class="card" href=format!("{base}/team")>
                            <span class="card-number" data-testid="member-count">{team.members.len()}</span>
                            <span>"members"</span>
                        </a>
                        <a class="card" href=format!("{base}/team")>
                            <span class="card-number">{team.invitations.len()}</span>
                            <span>"open invitations"</span>
                        </a>
                    </section>
                    <Show when=move || can_invite>
                        <p><a class="button button-primary" href=format!("{base}/team#invite")>"Invite a colleague"</a></p>
                    </Show>
                    {admin.then(|| view! {
                        <p class="hint">"Administration: "<a href=settings>"organisation settings"</a>", "<a href=jobs>"background jobs"</a>" (mail delivery, search indexing)."</p>
                    })}
                }.into_any()
            })}
        </Transition>
    }
}
