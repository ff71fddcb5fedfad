"""Jurisdiction profiles (SPEC §3): one validated YAML file per regulation, in ``profiles/``.

Every seed regulation is a *profile*: the same engine, different rules. A profile file says which
evaluation types the regulation offers, its human gates, its statutory deadlines, its report
outline, its indicator system and grade bands, what triggers an evaluation, who evaluates and what
a third party's agreement must contain. The engine reads these values; it never branches on a
jurisdiction's name (the profile ids appear only in the files and in these docs).

Files: ``<PROFILES_DIR>/<id>.yaml`` (``PROFILES_DIR`` = ``<repo>/profiles``, or the directory in the
environment variable ``PINGGU_PROFILES_DIR``), UTF-8, the file name equal to ``id``. Only ``*.yaml``
files are read. Every rule value cites its article, in a ``basis:`` field or a comment; a value the
regulation does not give is marked ``# default: seed silent``.

Top-level keys (English keys, Chinese values; all required unless marked optional):

    id, name, issuer, seed, title        who issued which regulation (seed = its text in regulations/)
    other_regulations                    optional {short name: title}: other regulations the profile
                                         cites; a basis starting with the short name followed by 第
                                         (档案第十条) cites that regulation's title
    evaluation_types                     of: ordinary, simplified, midterm, final, ningxia_90day
    methods                              evidence methods of pinggu.rules.vocabulary.METHODS
    simplified_methods                   the simplified procedure's choices (only with simplified)
    gates                                human gates in procedure order: id, name, actor,
                                         applies_to, basis, required (default true),
                                         entrusted_only (default false: only when a third party
                                         wrote the report), second_factor (optional "code": a
                                         signed-in person also gives the code sent to them)
    plan_approver                        optional {actor, basis}: who approves the annual evaluation
                                         plan (default: the office, 评估办公室)
    deadlines                            rule, label, period {amount, unit}, counted_from, until, basis
    default_window                       optional {amount, unit}: evaluation window when no deadline
                                         runs until evaluation_completed (exactly one of the two)
    stage_schedule                       preparation / implementation / conclusion: percent of the
                                         window, summing to 100
    report_outline                       the report's parts, in order
    report_sections                      per part of report_outline, the content blocks it shows
                                         (REPORT_BLOCKS, or indicator:<id> for one indicator's score);
                                         together they must record the whole process (R-PROCESS)
    midterm_parts, final_parts           what a midterm / final report adds (only with that type)
    indicators                           id, name, weight (summing to 100), basis; either items
                                         (second level: id, name, weight summing to 100, scoring)
                                         or a scoring of its own (default expert_marks)
    score_required                       the report must give a score and conclude from it
    grade_bands                          grade, min, max, conclusion; min ≤ score < max (the top
                                         band includes 100); together exactly 0–100
    triggers                             time, events, events_need_approval, approval_basis
                                         (who agrees to those events, on which article; only
                                         with events_need_approval), events_need_reason and
                                         reason_basis (events that count only with a stated
                                         reason, and the article), exemptions (the ones the
                                         regulation grants: id, basis; none listed = none apply)
    planned_type                         the type of every planned evaluation, or null (by trigger)
    evaluating_unit                      ordered rules: unit, conditions, note, basis; first match
                                         wins, the last has no conditions
    team_roles                           roles (of pinggu.rules.team.TEAM_ROLES; 单位工作人员 always), basis:
                                         who may sit on the evaluation team under this regulation
    safeguards                           team_conflict, agency_qualification, agency_credit,
                                         no_subcontracting, outcome_needs_evaluation,
                                         reviewers_outside_team (the experts who argue the report
                                         are not members of the team that wrote it): each
                                         {applies, basis}; rules only some regulations state,
                                         applied (or not) as this one says, cited from it
    third_party                          allowed, agreement_fields, basis
    tracking                             跟踪反馈与督查: period (reporting period, months or days),
                                         report_within (report due after the period ends),
                                         reports_from (决策承办单位, or 决策实施单位: the units of
                                         the plan's milestones, CL-50), report_basis,
                                         reported_problem {problem, major_change, force_majeure:
                                         each {event (a triggers.events kind), prompt (evaluate
                                         at once: propose a single-item plan; the same for every
                                         kind with the same event), basis}}, supervisor,
                                         supervision_methods (书面督查 / 听取汇报 / 实地督查 /
                                         网上信息核查), supervision_basis, self_inspection and
                                         no_repeat {duty (required 应当 / optional 可以、原则上 /
                                         none), basis} (MH-S9, MH-S2), supervision_report
                                         {approved_by (who approves the report before it goes
                                         out; null: no approval), recipients (被督查单位 /
                                         决策承办单位 / 决策实施单位 or a body named outright),
                                         basis} (CL-53), rectification_reviewer, check (required:
                                         every item checked; optional: may spot-check; none:
                                         reviewed only), rectification_basis, many_opinions
                                         {count, within, basis}
    decision_procedure                   optional: how a major decision is made (changli chapters 2–7,
                                         CL-3 … CL-47; pinggu.rules.profiles.schema.DecisionProcedureRules),
                                         each number with its article — among them hearing_organisers
                                         and hearing_sides_max_ratio (CL-16-HEARING), in_advance (what
                                         提前 means: hearing draft, list, selection method, symposium
                                         materials, CL-19), panel_confirmed_by (CL-32-PANEL),
                                         risk_kinds (CL-34: each assessed, not arising or assessed
                                         under other rules), draft_contents (CL-12)

Scoring of an indicator: ``survey_rate`` (``item``: satisfaction / awareness; score = rate × 100),
``expert_marks`` (the mean of the experts' marks, 0–100) or ``data_threshold`` (``measure`` names
the figure; ``thresholds`` list ``{min, score}`` from the highest min down; the first min the value
reaches gives the score, below all of them the score is 0).

A file with a mistake is refused as a whole with ``InputFileError``: a Chinese message naming the
file, and per problem the line, the key path (``deadlines[1].period.unit``; list positions count
from 0, the message adds the position counted from 1) and what is wrong.

Pure Python (pydantic, PyYAML): no Prefect, no database.
"""

from pinggu.rules.profiles.loader import (
    PROFILES_DIR,
    clear_cache,
    known_profile_ids,
    load_profile,
    load_profiles,
    read_profile_file,
)
from pinggu.rules.profiles.schema import (
    AGREEMENT_FIELDS,
    EXEMPTIONS,
    MILESTONES,
    REPORT_BLOCKS,
    SCORINGS,
    Deadline,
    Gate,
    Profile,
    printed_basis,
)

__all__ = [
    "AGREEMENT_FIELDS",
    "EXEMPTIONS",
    "MILESTONES",
    "PROFILES_DIR",
    "REPORT_BLOCKS",
    "SCORINGS",
    "Deadline",
    "Gate",
    "Profile",
    "clear_cache",
    "known_profile_ids",
    "load_profile",
    "load_profiles",
    "printed_basis",
    "read_profile_file",
]
