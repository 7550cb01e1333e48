//! Members, roles and invitations of one organisation.

use super::api::*;
use crate::{
    form::{Choice, Field, Form, FormError, Submit},
    session::Session,
    toast::{use_toasts, ToastKind},
    widgets::ErrorPanel,
};
use leptos::prelude::*;
use leptos_meta::Title;
use shared::{
    orgs::{Member, Membership, PendingInvitation},
    time::format_utc,
    Permission, Role,
};

#[component]
pub fn TeamPage() -> impl IntoView {
    let session = Session::get();
    let slug = crate::session::use_slug();
    let invite = ServerAction::<Invite>::new();
    let revoke = ServerAction::<RevokeInvitation>::new();
    let change_role = ServerAction::<ChangeRole>::new();
    let remove = ServerAction::<RemoveMember>::new();
    let toasts = use_toasts();
    Effect::new(move |_| {
        if let Some(Ok(inv)) = invite.value().get() {
            toasts.push(
                ToastKind::Success,
                format!("Invitation sent to {}", inv.email),
            );
        }
    });
    for value in [change_role.value(), remove.value(), revoke.value()] {
        Effect::new(move |_| {
            if let Some(Err(err)) = value.get() {
                toasts.push(ToastKind::Error, err.to_string());
            }
        });
    }
    let team = Resource::new(
        move || {
            (
                slug.get(),
                invite.version().get(),
                revoke.version().get(),
                change_role.version().get(),
                remove.version().get(),
                session.live.get(),
            )
        },
        |(slug, ..)| get_team(slug),
    );
    view! {
        <Title text="Team"/>
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let (me, membership) = match session.me_and_membership(&slug.get()).await {
                    Ok(found) => found,
                    Err(error) => return view! { <ErrorPanel error/> }.into_any(),
                };
                let team = match team.await {
                    Ok(team) => team,
                    Err(error) => return view! { <ErrorPanel error/> }.into_any(),
                };
                let my_id = me.user_id;
                let members = team.members.into_iter().map(|m| view! { <MemberRow member=m membership=membership.clone() my_id change_role remove/> }).collect_view();
                let invitations = team.invitations.into_iter().map(|i| view! { <InvitationRow invitation=i membership=membership.clone() revoke/> }).collect_view();
                view! {
                    <section class="page-head">
                        <h1>"Team of "{membership.name.clone()}</h1>
                    </section>
                    <div class="table-wrap">
                        <table class="table" aria-label="Members">
                            <thead><tr><th>"Name"</th><th>"E-mail"</th><th>"Role"</th><th>"Joined"</th><th><span class="sr-only">"Actions"</span></th></tr></thead>
                            <tbody>{members}</tbody>
                        </table>
                    </div>
                    <h2>"Open invitations"</h2>
                    <ul class="list" aria-label="Open invitations">{invitations}</ul>
                    {membership.role.can(Permission::InviteMembers).then(|| view! {
                        <InviteForm slug=membership.slug.clone() my_role=membership.role invite/>
                    })}
                    <LeaveForm slug=membership.slug.clone()/>
                }.into_any()
            })}
        </Transition>
    }
}

#[component]
fn MemberRow(
    member: Member,
    membership: Membership,
    my_id: i64,
    change_role: ServerAction<ChangeRole>,
    remove: ServerAction<RemoveMember>,
) -> impl IntoView {
    let manage = membership.role.can(Permission::ManageMembers)
        && member.user_id != my_id
        && membership.role.may_grant(member.role);
    let slug = membership.slug;
    let name = member.name;
    let locked = member
        .locked_until
        .map(|t| format!("Locked until {}", format_utc(t)));
    let role_cell = if manage {
        let (slug, name) = (slug.clone(), name.clone());
        let options = Role::ALL
            .into_iter()
            .filter(|r| membership.role.may_grant(*r))
            .map(|r| {
                view! { <option value=r.as_str() selected=r == member.role>{r.label()}</option> }
            })
            .collect_view();
        view! {
            <ActionForm action=change_role attr:class="inline-form">
                <input type="hidden" name="slug" value=slug.clone()/>
                <input type="hidden" name="user_id" value=member.user_id/>
                <label class="sr-only" for=format!("role-{}", member.user_id)>"Role of "{name.clone()}</label>
                <select id=format!("role-{}", member.user_id) name="role">{options}</select>
                <button type="submit" class="button button-small">"Change"</button>
            </ActionForm>
        }.into_any()
    } else {
        view! { <span>{member.role.label()}</span> }.into_any()
    };
    let remove_cell = manage.then(|| {
        view! {
            <ActionForm action=remove attr:class="inline-form">
                <input type="hidden" name="slug" value=slug/>
                <input type="hidden" name="user_id" value=member.user_id/>
                <button type="submit" class="button button-small button-danger">"Remove"</button>
            </ActionForm>
        }
    });
    view! {
        <tr data-member=member.email.clone()>
            <td>{name}{locked.map(|l| view! { <span class="badge badge-warn">{l}</span> })}</td>
            <td>{member.email.clone()}</td>
            <td>{role_cell}</td>
            <td>{format_utc(member.joined_at)}</td>
            <td>{remove_cell}</td>
        </tr>
    }
}

#[component]
fn InvitationRow(
    invitation: PendingInvitation,
    membership: Membership,
    revoke: ServerAction<RevokeInvitation>,
) -> impl IntoView {
    // Only someone who could have sent it may withdraw it.
    let can_revoke = membership.role.can(Permission::InviteMembers)
        && membership.role.may_grant(invitation.role);
    view! {
        <li class="list-item">
            <span><strong>{invitation.email.clone()}</strong>" as "{invitation.role.label()}
            " · invited by "{invitation.invited_by.clone()}" · expires "{format_utc(invitation.expires_at)}</span>
            {can_revoke.then(|| view! {
                <ActionForm action=revoke attr:class="inline-form">
                    <input type="hidden" name="slug" value=membership.slug.clone()/>
                    <input type="hidden" name="invitation_id" value=invitation.id/>
                    <button type="submit" class="button button-small">"Revoke"</button>
                </ActionForm>
            })}
        </li>
    }
}

#[component]
fn InviteForm(slug: String, my_role: Role, invite: ServerAction<Invite>) -> impl IntoView {
    let roles = Role::ALL
        .into_iter()
        .filter(|r| my_role.may_grant(*r))
        .map(|r| (r.as_str(), r.label()))
        .collect();
    view! {
        <section class="panel" id="invite">
            <h2>"Invite a colleague"</h2>
            <Form action=invite id="invite" validate=check_invite class="form form-row">
                <input type="hidden" name="slug" value=slug/>
                <Field name="email" label="E-mail" kind="email" autocomplete="off" required=true/>
                <Choice name="role" label="Role" options=roles selected=Role::Recruiter.as_str()/>
                <Submit label="Send invitation" pending="Sending…"/>
                <FormError/>
            </Form>
        </section>
    }
}

fn check_invite(input: &Invite) -> Vec<shared::validation::FieldError> {
    shared::validation::problems([shared::validation::email("email", &input.email)])
}

#[component]
fn LeaveForm(slug: String) -> impl IntoView {
    let action = ServerAction::<LeaveOrganisation>::new();
    Session::get().watch(action.version());
    view! {
        <section class="panel">
            <h2>"Leave this organisation"</h2>
            <Form action id="leave" class="inline-form">
                <input type="hidden" name="slug" value=slug/>
                <Submit label="Leave organisation" pending="Leaving…" class="button button-danger"/>
                <FormError/>
            </Form>
        </section>
    }
}
