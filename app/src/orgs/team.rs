//! Members, roles and invitations of one organisation.

use super::api::*;
use crate::{
    confirm::ConfirmButton,
    form::{use_form, Choice, Field, Form, FormError, Submit},
    session::{successes, Session},
    time::LocalTime,
    toast::{use_toasts, ToastKind},
    widgets::ErrorPanel,
};
use leptos::prelude::*;
use leptos_meta::Title;
use shared::{
    orgs::{Member, Membership, PendingInvitation},
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
    let undo = ServerAction::<UndoRemoveMember>::new();
    let toasts = use_toasts();
    // Every change says how it went.
    Effect::new(move |_| {
        if let Some(Ok(inv)) = invite.value().get() {
            toasts.push(
                ToastKind::Success,
                format!("Invitation sent to {}, as {}.", inv.email, inv.role.label()),
            );
        }
    });
    Effect::new(move |_| match change_role.value().get() {
        Some(Ok(m)) => toasts.push(
            ToastKind::Success,
            format!("{} is now {}.", m.name, m.role.label()),
        ),
        Some(Err(err)) => toasts.push(ToastKind::Error, err.to_string()),
        None => {}
    });
    Effect::new(move |_| match remove.value().get() {
        Some(Ok(m)) => {
            let input = UndoRemoveMember {
                slug: slug.get_untracked(),
                user_id: m.user_id,
            };
            let bring_back = Callback::new(move |()| {
                undo.dispatch(input.clone());
            });
            toasts.push_with(
                ToastKind::Success,
                format!("{} was removed from the team.", m.name),
                Some(("Undo", bring_back)),
            );
        }
        Some(Err(err)) => toasts.push(ToastKind::Error, err.to_string()),
        None => {}
    });
    Effect::new(move |_| match undo.value().get() {
        Some(Ok(m)) => toasts.push(
            ToastKind::Success,
            format!("{} is back, as {}.", m.name, m.role.label()),
        ),
        Some(Err(err)) => toasts.push(ToastKind::Error, err.to_string()),
        None => {}
    });
    Effect::new(move |_| match revoke.value().get() {
        Some(Ok(())) => toasts.push(
            ToastKind::Success,
            "Invitation revoked. Its link no longer works.",
        ),
        Some(Err(err)) => toasts.push(ToastKind::Error, err.to_string()),
        None => {}
    });
    // Re-read after each change that succeeded (a failure changed nothing, and re-reading
    // would re-render the forms and lose what was typed).
    let changes = [
        successes(invite),
        successes(revoke),
        successes(change_role),
        successes(remove),
        successes(undo),
    ];
    let team = Resource::new(
        move || {
            (
                slug.get(),
                changes.iter().map(|c| c.get()).sum::<usize>(),
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
                    <LeaveForm slug=membership.slug.clone() org=membership.name.clone()/>
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
    let org = membership.name.clone();
    let slug = membership.slug;
    let name = member.name;
    let locked = member
        .locked_until
        .map(|at| view! { <span class="badge badge-warn">"Sign-in locked, unlocks "<LocalTime at/></span> });
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
    let remove_cell = manage.then({
        let name = name.clone();
        move || {
        let text = format!(
            "{name} loses access to {org} at once, and their open pages close. You can undo this \
             for two minutes."
        );
        view! {
            <ConfirmButton id=format!("remove-{}", member.user_id) label="Remove"
                aria_label=format!("Remove {name}") title=format!("Remove {name}?") text>
                <ActionForm action=remove attr:class="inline-form">
                    <input type="hidden" name="slug" value=slug/>
                    <input type="hidden" name="user_id" value=member.user_id/>
                    <button type="submit" class="button button-danger">{format!("Remove {name}")}</button>
                </ActionForm>
            </ConfirmButton>
        }
        }
    });
    view! {
        <tr data-member=member.email.clone()>
            <td>{name.clone()}{locked}</td>
            <td>{member.email.clone()}</td>
            <td>{role_cell}</td>
            <td><LocalTime at=member.joined_at/></td>
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
            " · invited by "{invitation.invited_by.clone()}" · expires "<LocalTime at=invitation.expires_at/></span>
            {can_revoke.then(|| {
                let email = invitation.email.clone();
                view! {
                    <ConfirmButton id=format!("revoke-{}", invitation.id) label="Revoke"
                        class="button button-small" aria_label=format!("Revoke the invitation to {email}")
                        title=format!("Revoke the invitation to {email}?")
                        text="The link in their e-mail stops working. You can invite them again later.".to_owned()>
                        <ActionForm action=revoke attr:class="inline-form">
                            <input type="hidden" name="slug" value=membership.slug.clone()/>
                            <input type="hidden" name="invitation_id" value=invitation.id/>
                            <button type="submit" class="button button-danger">"Revoke invitation"</button>
                        </ActionForm>
                    </ConfirmButton>
                }
            })}
        </li>
    }
}

#[component]
fn InviteForm(slug: String, my_role: Role, invite: ServerAction<Invite>) -> impl IntoView {
    let roles = Role::ALL
        .into_iter()
        .filter(|r| my_role.may_grant(*r))
        .map(|r| (r.as_str().to_owned(), r.label().to_owned()))
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
                <ReplaceInvitation/>
            </Form>
        </section>
    }
}

fn check_invite(input: &Invite) -> Vec<shared::validation::FieldError> {
    shared::validation::problems([shared::validation::email("email", &input.email)])
}

/// When the address already has an open invitation, the server asks (an error on `replace`):
/// the question, and a button that sends the form again with the role chosen, replacing it.
#[component]
fn ReplaceInvitation() -> impl IntoView {
    let state = use_form();
    state.register("replace");
    let question = move || state.error_for("replace");
    view! {
        <div class="form-error form-question" role="alert" hidden=move || question().is_none()>
            <p>{question}</p>
            <button type="submit" name="replace" value="true" class="button">"Replace the invitation"</button>
        </div>
    }
}

#[component]
fn LeaveForm(slug: String, org: String) -> impl IntoView {
    let action = ServerAction::<LeaveOrganisation>::new();
    Session::get().watch(action);
    view! {
        <section class="panel">
            <h2>"Leave this organisation"</h2>
            <Form action id="leave" class="inline-form">
                <input type="hidden" name="slug" value=slug/>
                <ConfirmButton id="leave-confirm".to_owned() label="Leave organisation" class="button button-danger"
                    title=format!("Leave {org}?")
                    text="You lose access to its pages at once. To come back, someone has to invite you again.".to_owned()>
                    <Submit label="Leave" pending="Leaving…" class="button button-danger"/>
                </ConfirmButton>
                <FormError/>
            </Form>
        </section>
    }
}
