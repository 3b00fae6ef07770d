"""The browser recipe's reruns since 2026-12-06 for docs/results.md (issue 13), written by
:mod:`vla.release.results` after :data:`~vla.release.results_browser.BROWSER_ABLATIONS`."""

__all__ = ["BROWSER_RECIPE_RUNS"]

#: Whole-recipe reruns (collect, train, DAgger rounds, 62 tasks x 100 seeds), measured.
BROWSER_RECIPE_RUNS = """- Early fusion through the whole recipe, without DAgger rounds (2026-12-06, eleventh session).
  The collections and the base training ran again from scratch, on an AMD EPYC host where
  training ran at about 40 samples/s instead of 65 (collect 2047 s, train 4052 s, eval 2816 s). Over the 62 tasks 38.7% against 42.7% for the shipped
  checkpoint on the same 100 seeds (28 tasks rose, 25 fell). Reading rose as in the
  tenth session's 40 seeds: click-color 26% -> 100%, click-widget 42% -> 88%, click-button 65%
  -> 77%, click-checkboxes 27% -> 44%; click-link stayed at 24%. The next-step choices the
  shipped recipe's three rounds had mended fell back: login-user 97% -> 10% (the tenth
  session's base training of the same recipe gave 68% on 40 seeds, so these choices move more
  from one training run to the next than reading does), identify-shape 92% -> 44%,
  enter-password 93% -> 68%, enter-date 86% -> 0% and enter-time 92% -> 0% (both now click the
  field and then Submit, typing nothing). Not shipped: 4.0 points lower over the suite, and it
  gives up a target the shipped checkpoint meets (login-user >= 80%).
- Its three DAgger rounds (2026-12-06, twelfth and thirteenth sessions; 2504, 2617 and about 2400 s)
  took it from 38.7% to 44.9% over the 62 tasks on the same 100 seeds, 2.2 points above the
  checkpoint it replaces: each round's own rollouts won 33% -> 40.2% -> 42.8% of their episodes.
  The rounds mended the next-step choices again (enter-time 0% -> 90%, enter-date 0% -> 70%,
  login-user 10% -> 76%, login-user-popup 12% -> 60%, enter-password 68% -> 96%, scroll-text-2
  62% -> 98%) and kept the reading early fusion had bought (click-color 100%, click-widget 90%).
  Two losses against the previous checkpoint have causes on record: identify-shape (92% -> 41%)
  fell with early fusion itself (44% before the rounds): 80 of its 100 first clicks land on one
  spot (117.8, 161.2), the second row's right-hand button, whatever the figure and whichever
  label is there, where the previous checkpoint's clicks went to every button (its eval_info's
  actions); and login-user (76%, target 80%) is the choice the rounds mend least evenly (the
  previous recipe's third round took it 65% -> 97%).
  Shipped: ahead over the suite and on the ten target tasks (69.9% -> 78.3%; click-color now
  meets its 95% target, login-user no longer meets its 80%).
- The reading loss through the whole recipe (2026-12-06, fourteenth and fifteenth sessions).
  The recipe's ten reading tasks collected again with the page's words, `read_loss=0.1` in the
  base training (5000 steps, 4884 s; validation loss 1.425 as without it, median click error
  1.50 px against 1.72, 56% of bytes read right) and the same three rounds: 42.7% over the 62
  tasks against the shipped 44.9%. It did not read the words it was built for: click-link 27%
  and click-option 28% on 100 seeds, where the 2500-step ablation on the reading tasks alone
  had 28% and 32% from 15% and 22%. It kept the ablation's identify-shape (41% -> 75%). It
  lost copying in another case: 38 of enter-text-2's 44 failures type the name as the
  instruction writes it ("KANESHA" where lower case is asked, seed 100002); the case mix
  (`copy_case`) had not been learned by the base model (9 of 20 enter-text-2 rollouts in
  round 0 against 20 of 20). enter-password (96% -> 63%) fails on the next step instead: in 20
  of its 37 failures it types the password once and clicks Submit after the second field,
  without typing there (seed 100007). One training seed, and reruns of the recipe have moved
  single tasks this much before (login-user 97% -> 10% with early fusion, above), so the loss
  is not shown to cause either. Not shipped; the recipe keeps no reading loss.
- 200 expert episodes of each of the 32 added tasks instead of 50 (2026-12-07, eighteenth to
  twentieth sessions). The 2500-step ablation on six of these tasks had taken them 9.4% -> 22.8%
  (docs/benchmarks.md, "Several steps"); through the whole recipe (collect 3445 s, the base
  training's validation loss 1.355 and median click error 1.85 px, the same three DAgger rounds,
  each now about 25 minutes) it gives 46.4% over the 62 tasks against 44.9%, on the same 100
  unseen seeds per task: +1.4 points, 95% CI [+0.4, +2.4] (`vla compare`, paired on the seeds),
  8 tasks better and 3 worse at p < 0.05 (McNemar). Better: form-sequence-3 0% -> 38%,
  drag-single-shape 39% -> 71%, enter-date 70% -> 92%, login-user 76% -> 96% (its 80% target
  met again), form-sequence-2 50% -> 70%, login-user-popup 60% -> 73%, grid-coordinate 94% ->
  100%, drag-sort-numbers 0% -> 6%. Worse: choose-list 94% -> 62% (one of the first 30 tasks,
  whose 100 episodes are now a smaller share of the batch), click-button-sequence 15% -> 5%,
  enter-text-2 100% -> 93%. Still at 0%: form-sequence, multi-layouts, multi-orderings,
  scroll-text, use-spinner, click-shades. The round's own rollouts won 35.2% -> 44.2% -> 44.8%
  of their episodes (the previous run's 33% -> 40.2% -> 42.8%). Shipped: ahead over the suite
  and on the ten target tasks (78.3% -> 78.6%).
- Searching experts for the hidden-link tasks, screened (2026-12-07, night; the experts are in
  the code, no checkpoint retrained). click-tab-2 and click-collapsible-2 hide the link in one
  of several tabs or sections, and the screenshot does not say which. Their experts opened the
  one the DOM names, a guess from the pixels; they now open the next tab or section after the
  open one until the link shows (docs/miniwob_experts.md). The accordion ids now wait 100 ms a
  `Wait` (docs/browser.md); the shipped checkpoint scores the same there on the same 100 seeds
  (click-collapsible 100%, click-collapsible-2 6%). Screen: the shipped checkpoint +1000 steps
  at 3e-4 on 200 expert episodes of each of click-tab-2, click-tab-2-hard, click-collapsible-2
  and click-collapsible-2-nodelay (seeds 0-199), recorded with the searching experts or with
  the DOM-guided ones, then 40 unseen seeds per task (100000-100039, `--max-steps 25
  --still-waits 2`): shipped 0% / 2.5% / 0% / 2.5% (1.2%), DOM-guided 12.5% / 10% / 20% /
  12.5% (**13.8%**), searching 15% / 2.5% / 12.5% / 12.5% (**10.6%**); searching against
  DOM-guided -3.1 points, 95% CI [-10.2, +4.0] (`vla compare`, paired), no task apart at p <
  0.05. So the searching labels buy nothing measurable at this budget, and both stay far from
  the other tasks: the policy must remember which tabs it has opened (its prompt holds the last
  4 actions), and searching takes more steps (14.9 against 6.0 on click-collapsible-2). The
  searching experts are kept, because their label is a function of the screenshot, as the
  accordion waits' is; the next recipe run measures them at full scale. Commands: `vla
  collect` of the four tasks, `--episodes 200 --seed 0 --workers 2` (the DOM-guided arm with
  `datasets/experts/miniwob/navigation.py` of commit 4cf668d), then `vla train --config
  vla/checkpoints/vla-browser-tiny --steps 1000 --batch-size 32 --lr 3e-4 --threads 2` and `vla
  eval --episodes 40 --seed-start 100000 --workers 2 --max-steps 25 --still-waits 2`.
"""
