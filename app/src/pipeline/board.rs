//! `/o/:slug/jobs/:job/board`: a job's applications by stage. A card moves by drag and drop, or
//! from the keyboard with its "Move to" menu (a plain form, so it works before the wasm too).
//! Every move reaches the other open boards of the job over the realtime socket.

use super::{
    api::{job_board, MoveApplication, SaveJobStages},
    stages::JobStagesEditor,
};
use crate::{
    session::Session,
    time::LocalTime,
    toast::{use_toasts, ToastKind},
    widgets::ErrorPanel,
};
use leptos::{prelude::*, server_fn::ServerFn};
use leptos_meta::Title;
use leptos_router::{
    components::Form as GetForm,
    hooks::{use_params_map, use_query_map},
};
use shared::pipeline::{Board, BoardFilter, BoardSort, Card, Stage, SCORE_FLOORS};

#[component]
pub fn BoardPage() -> impl IntoView {
    let session = Session::get();
    let slug = crate::session::use_slug();
    let params = use_params_map();
    let job = Signal::derive(move || params.read().get("job").unwrap_or_default());
    let moving = ServerAction::<MoveApplication>::new();
    session.watch(moving);
    let toasts = use_toasts();
    Effect::new(move |_| {
        if let Some(Err(error)) = moving.value().get() {
            toasts.push(ToastKind::Error, error.to_string());
        }
    });
    // The first load renders the page (on the server too); later changes (a move here, a
    // move or a new application elsewhere, a score) update the cards in place, so a card
    // whose menu someone is using is never replaced under them.
    let board = Resource::new(
        move || (slug.get(), job.get()),
        |(slug, job)| job_board(slug, job),
    );
    let current = RwSignal::new(None::<Board>);
    Effect::new(move |_| {
        if let Some(Ok(moved)) = moving.value().get() {
            current.set(Some(moved));
        }
    });
    // Saved stages come back as the board, drawn with its new columns.
    let saving_stages = ServerAction::<SaveJobStages>::new();
    Effect::new(move |_| {
        if let Some(Ok(saved)) = saving_stages.value().get() {
            current.set(Some(saved));
            toasts.push(ToastKind::Success, "Saved the stages.");
        }
    });
    Effect::new(move |seen: Option<u64>| {
        let live = session.live.get();
        if seen.is_some_and(|seen| seen != live) {
            let (slug, job) = (slug.get_untracked(), job.get_untracked());
            leptos::task::spawn_local(async move {
                if let Ok(fresh) = job_board(slug, job).await {
                    current.set(Some(fresh));
                }
            });
        }
        live
    });
    view! {
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match board.await {
                    Err(error) => view! { <Title text="Board"/><ErrorPanel error/> }.into_any(),
                    Ok(first) => {
                        current.set(Some(first.clone()));
                        view! { <BoardView first current slug=slug.get_untracked() moving saving_stages/> }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

#[component]
fn BoardView(
    first: Board,
    current: RwSignal<Option<Board>>,
    slug: String,
    moving: ServerAction<MoveApplication>,
    saving_stages: ServerAction<SaveJobStages>,
) -> impl IntoView {
    let job_href = format!("/o/{slug}/jobs/{}", first.job_slug);
    let board = move || current.get().unwrap_or_else(|| first.clone());
    let query = use_query_map();
    let filter = Memo::new(move |_| {
        let q = query.read();
        BoardFilter::parse(
            &q.get("q").unwrap_or_default(),
            &q.get("min").unwrap_or_default(),
            &q.get("sort").unwrap_or_default(),
        )
    });
    // A column shows its first cards until "Show all" (in the address, so it works before
    // the wasm and survives a reload).
    let show_all = Memo::new(move |_| query.read().get("all").is_some_and(|v| v == "1"));
    let summary = {
        let board = board.clone();
        move || {
            let b = board();
            let filter = filter.get();
            let open = match (b.cards.len(), b.closed) {
                (0, 0) => "No applications yet.".to_owned(),
                (n, 0) => format!("{n} open application(s)."),
                (n, closed) => {
                    format!("{n} open application(s); {closed} rejected, withdrawn or hired.")
                }
            };
            if filter.narrows() && !b.cards.is_empty() {
                let shown = b.cards.iter().filter(|c| filter.keeps(c)).count();
                format!("Showing {shown} of {open}")
            } else {
                open
            }
        }
    };
    let can_move = board().can_move;
    let job = board().job_slug;
    // The columns are drawn again only when the stages change (saved here, or by someone
    // else: the board is re-read live), never for a card moving.
    let stage_list = {
        let board = board.clone();
        Memo::new(move |_| board().stages)
    };
    let columns = {
        let (board, slug, job) = (board.clone(), slug.clone(), job.clone());
        move || {
            let stages = stage_list.get();
            stages
                .iter()
                .map(|stage| {
                    let (board, stage_id) = (board.clone(), stage.id);
                    let cards = Signal::derive(move || {
                        let in_stage = board().cards.into_iter().filter(|c| c.stage_id == stage_id);
                        filter.with(|f| f.apply(in_stage))
                    });
                    view! {
                        <Column stage=stage.clone() cards stages=stages.clone() slug=slug.clone()
                            job=job.clone() can_move moving show_all/>
                    }
                })
                .collect_view()
        }
    };
    let title = board().job_title;
    let slug_for_filters = slug.clone();
    let editor = {
        let (slug, job) = (slug.clone(), job.clone());
        move || {
            can_move.then(|| {
                let stages = stage_list.get();
                view! { <JobStagesEditor stages slug=slug.clone() job=job.clone() save=saving_stages/> }
            })
        }
    };
    view! {
        <Title text=format!("Board · {title}")/>
        <p class="breadcrumb"><a href=job_href>{title.clone()}</a></p>
        <section class="page-head">
            <h1>{format!("{title}: board")}</h1>
            <p class="hint" aria-live="polite">{summary}</p>
        </section>
        <Filters slug=slug_for_filters job=job.clone() filter/>
        // One handler for every card's drag and "Move" form (not two per card): a phone brings
        // a board to life in a fraction of the time (docs/BENCHMARKS.md, "Lighthouse").
        <div class="board" data-board=job.clone()
            on:dragstart=move |ev: leptos::ev::DragEvent| if can_move { start_drag(&ev) }
            on:submit={
                let (slug, job) = (slug.clone(), job.clone());
                move |ev: leptos::ev::SubmitEvent| submit_move(&ev, moving, &slug, &job)
            }>
            {columns}
        </div>
        {editor}
    }
}

/// The board's filters and order: a GET form, so they live in the address and work before the
/// wasm; the cards are filtered where they are drawn, live updates included.
#[component]
fn Filters(slug: String, job: String, filter: Memo<BoardFilter>) -> impl IntoView {
    let now = filter.get_untracked();
    let floors = std::iter::once(view! { <option value="">"Any score"</option> }.into_any())
        .chain(SCORE_FLOORS.iter().map(|floor| {
            let selected = now.min_score == Some(*floor);
            view! { <option value=floor.to_string() selected=selected>{format!("{floor} or more")}</option> }
                .into_any()
        }))
        .collect_view();
    let sorts = BoardSort::ALL
        .into_iter()
        .map(|s| view! { <option value=s.as_str() selected=s == now.sort>{s.label()}</option> })
        .collect_view();
    let address = format!("/o/{slug}/jobs/{job}/board");
    let clear = {
        let address = address.clone();
        move || {
            filter
                .with(BoardFilter::narrows)
                .then(|| view! { <a href=address.clone()>"Clear filters"</a> })
        }
    };
    view! {
        <GetForm method="GET" action=address.clone() noscroll=true replace=true attr:class="filters board-filters"
            attr:role="search" attr:aria-label="Filter the board">
            <div class="field">
                <label for="board-q">"Name or skill"</label>
                <input id="board-q" type="search" name="q" value=now.query.clone() prop:value=now.query.clone()
                    placeholder="For example Rust"/>
            </div>
            <div class="field">
                <label for="board-min">"Score"</label>
                <select id="board-min" name="min">{floors}</select>
            </div>
            <div class="field">
                <label for="board-sort">"Order"</label>
                <select id="board-sort" name="sort">{sorts}</select>
            </div>
            <div class="filter-actions">
                <button type="submit" class="button">"Show"</button>
                {clear}
            </div>
        </GetForm>
    }
}

/// The type a dragged card carries its application's id as.
const CARD_TYPE: &str = "application/x-talentloom-card";

/// The card an event happened in: its element's `data-card` (the application id).
#[cfg(feature = "hydrate")]
fn card_of(ev: &leptos::ev::Event) -> Option<i64> {
    use wasm_bindgen::JsCast;
    ev.target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .and_then(|el| el.closest("[data-card]").ok().flatten())
        .and_then(|card| card.get_attribute("data-card"))
        .and_then(|id| id.parse().ok())
}

/// Puts the dragged card's application id on the drag.
fn start_drag(ev: &leptos::ev::DragEvent) {
    #[cfg(feature = "hydrate")]
    if let (Some(application), Some(data)) = (card_of(ev), ev.data_transfer()) {
        let _ = data.set_data(CARD_TYPE, &application.to_string());
        data.set_effect_allowed("move");
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (ev, CARD_TYPE);
}

/// A card's "Move" form sent: the move goes through the board's action instead of the plain
/// post the form makes before the wasm runs.
fn submit_move(
    ev: &leptos::ev::SubmitEvent,
    moving: ServerAction<MoveApplication>,
    slug: &str,
    job: &str,
) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let Some(form) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok())
            .filter(|f| f.class_list().contains("card-move"))
        else {
            return;
        };
        let stage = web_sys::FormData::new_with_form(&form)
            .ok()
            .and_then(|data| data.get("stage").as_string())
            .and_then(|stage| stage.parse().ok());
        if let (Some(application), Some(stage)) = (card_of(ev), stage) {
            ev.prevent_default();
            dispatch_move(moving, slug, job, application, stage);
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (ev, moving, slug, job);
}

/// The application id a drop carries, when it is one of our cards.
fn dragged_card(ev: &leptos::ev::DragEvent) -> Option<i64> {
    #[cfg(feature = "hydrate")]
    {
        ev.data_transfer()
            .and_then(|d| d.get_data(CARD_TYPE).ok())
            .and_then(|id| id.parse::<i64>().ok())
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = ev;
        None
    }
}

/// Moves `application` to `stage` when a card is dropped on a column.
fn dispatch_move(
    moving: ServerAction<MoveApplication>,
    slug: &str,
    job: &str,
    application: i64,
    stage: i64,
) {
    moving.dispatch(MoveApplication {
        slug: slug.to_owned(),
        job: job.to_owned(),
        application,
        stage,
    });
}

/// The cards a column shows before "Show all": a phone draws (and the wasm brings to life) a
/// few dozen cards quickly, not hundreds (docs/BENCHMARKS.md, "Lighthouse").
const CARDS_SHOWN: usize = 25;

#[component]
fn Column(
    stage: Stage,
    cards: Signal<Vec<Card>>,
    stages: Vec<Stage>,
    slug: String,
    job: String,
    can_move: bool,
    moving: ServerAction<MoveApplication>,
    show_all: Memo<bool>,
) -> impl IntoView {
    let query = use_query_map();
    let more_href = format!("/o/{slug}/jobs/{job}/board");
    let more = move || {
        let count = cards.with(Vec::len);
        (!show_all.get() && count > CARDS_SHOWN).then(|| {
            let mut all = query.get();
            all.replace("all", "1".to_owned());
            let href = format!("{more_href}{}", all.to_query_string());
            view! { <a class="board-more" href=href>{format!("Show all {count}")}</a> }
        })
    };
    let shown = move || {
        let all = cards.get();
        if show_all.get() {
            all
        } else {
            all.into_iter().take(CARDS_SHOWN).collect()
        }
    };
    let heading_id = format!("stage-{}", stage.id);
    let labelled_by = heading_id.clone();
    let count = move || cards.with(Vec::len);
    let target = RwSignal::new(false);
    let (drop_slug, drop_job, stage_id) = (slug.clone(), job.clone(), stage.id);
    let on_drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        target.set(false);
        if let Some(application) = dragged_card(&ev) {
            dispatch_move(moving, &drop_slug, &drop_job, application, stage_id);
        }
    };
    let items = view! {
        <For
            each=shown
            // A card is drawn again only when what it shows changed.
            key=|card| (card.application_id, card.stage_id, card.score, card.stage_entered_at)
            children=move |card| {
                view! { <CardView card stages=stages.clone() slug=slug.clone() job=job.clone() can_move/> }
            }
        />
    };
    view! {
        <section class="board-column" aria-labelledby=labelled_by data-stage=stage.name.clone()
            class:drop-target=move || target.get()
            on:dragover=move |ev: leptos::ev::DragEvent| {
                if can_move {
                    ev.prevent_default();
                    target.set(true);
                }
            }
            on:dragleave=move |_| target.set(false)
            on:drop=on_drop>
            <h2 id=heading_id>{stage.name.clone()}<span class="count">{count}</span></h2>
            <ul class="board-cards">{items}</ul>
            {more}
        </section>
    }
}

#[component]
fn CardView(
    card: Card,
    stages: Vec<Stage>,
    slug: String,
    job: String,
    can_move: bool,
) -> impl IntoView {
    let id = card.application_id;
    let select_id = format!("move-{id}");
    let options = stages
        .iter()
        .map(|s| view! { <option value=s.id selected=s.id == card.stage_id>{s.name.clone()}</option> })
        .collect_view();
    let score = match card.score {
        Some(score) => view! {
            <span class="card-score" title="Match score against the job, 0–100">{score}</span>
        }
        .into_any(),
        None => {
            view! { <span class="card-score card-scoring" aria-live="polite">"scoring…"</span> }
                .into_any()
        }
    };
    let skills = (!card.matched.is_empty() || !card.missing.is_empty()).then(|| {
        let matched = card
            .matched
            .iter()
            .map(|s| view! { <li class="chip chip-matched">{s.clone()}</li> })
            .collect_view();
        let missing = card
            .missing
            .iter()
            .map(|s| view! { <li class="chip chip-missing" title="A must-have the CV does not show">{format!("no {s}")}</li> })
            .collect_view();
        view! { <ul class="card-skills">{matched}{missing}</ul> }
    });
    let page = shared::pipeline::application_path(&slug, id);
    let label = format!("Move {} to", card.name);
    // A plain form (the board's one submit handler takes it once the wasm runs).
    let menu = can_move.then(|| {
        view! {
            <form method="post" action=MoveApplication::url() class="card-move">
                <input type="hidden" name="slug" value=slug.clone()/>
                <input type="hidden" name="job" value=job.clone()/>
                <input type="hidden" name="application" value=id/>
                <label for=select_id.clone() class="sr-only">{label}</label>
                <select id=select_id name="stage">{options}</select>
                <button type="submit" class="button button-small">"Move"</button>
            </form>
        }
    });
    view! {
        <li class="board-card" data-card=id draggable=if can_move { "true" } else { "false" }>
            <div class="card-head">
                <a href=page class="card-name">{card.name}</a>
                {score}
            </div>
            {skills}
            <p class="hint">"Applied "<LocalTime at=card.applied_at/>" · in stage since "<LocalTime at=card.stage_entered_at/></p>
            {menu}
        </li>
    }
}
