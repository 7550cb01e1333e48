//! Creating an organisation and its dashboard.

use crate::{
    api::{get_team, CreateOrganisation},
    session::Session,
    widgets::{last_error, ErrorPanel, FieldMessage},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use shared::{validation::slugify, Permission};

#[component]
pub fn NewOrganisationPage() -> impl IntoView {
    let action = ServerAction::<CreateOrganisation>::new();
    Session::get().watch(action.version());
    let value = last_error(action.value());
    let name = RwSignal::new(String::new());
    let slug_edited = RwSignal::new(false);
    let slug = RwSignal::new(String::new());
    view! {
        <Title text="New organisation"/>
        <section class="panel narrow">
            <h1>"Create an organisation"</h1>
            <p>"An organisation holds your jobs, candidates and team. You will be its owner."</p>
            <ActionForm action attr:class="form" attr:novalidate="">
                <label for="org-name">"Name"</label>
                <input id="org-name" name="name" required prop:value=name on:input=move |ev| {
                    let v = event_target_value(&ev);
                    if !slug_edited.get_untracked() { slug.set(slugify(&v)); }
                    name.set(v);
                }/>
                <FieldMessage value field="name"/>
                <label for="org-slug">"Address"</label>
                <div class="input-prefix"><span>"/o/"</span>
                    <input id="org-slug" name="slug" required pattern="[a-z0-9]+(-[a-z0-9]+)*" prop:value=slug on:input=move |ev| {
                        slug_edited.set(true);
                        slug.set(event_target_value(&ev));
                    }/>
                </div>
                <p class="hint">"Lower-case letters, digits and hyphens. Leave it empty to derive it from the name."</p>
                <FieldMessage value field="slug"/>
                <FieldMessage value field=""/>
                <button type="submit" class="button button-primary" disabled=move || action.pending().get()>"Create organisation"</button>
            </ActionForm>
        </section>
    }
}

#[component]
pub fn DashboardPage() -> impl IntoView {
    let session = Session::get();
    let params = use_params_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    let team = Resource::new(
        move || (slug(), session.live.get()),
        |(slug, _)| get_team(slug),
    );
    view! {
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let me = session.me.await;
                let team = team.await;
                let me = match me {
                    Ok(Some(me)) => me,
                    Ok(None) => return view! { <ErrorPanel error=crate::error::ApiError::Unauthenticated/> }.into_any(),
                    Err(error) => return view! { <ErrorPanel error/> }.into_any(),
                };
                let Some(membership) = me.membership(&slug()).cloned() else {
                    return view! { <ErrorPanel error=crate::error::ApiError::NotFound/> }.into_any();
                };
                let team = match team {
                    Ok(team) => team,
                    Err(error) => return view! { <ErrorPanel error/> }.into_any(),
                };
                let base = format!("/o/{}", membership.slug);
                let can_invite = membership.role.can(Permission::InviteMembers);
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
                }.into_any()
            })}
        </Transition>
    }
}
