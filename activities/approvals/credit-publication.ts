import { caseInfo } from '../../db/cases/cases';
import { markPublished, openPublicity, ratedOnList } from '../../db/credit/publications';
import { ratingRun } from '../../db/credit/ratings';
import { modelAt } from '../../db/credit/scores';
import type { ServiceTaskInput, ServiceTaskResult } from '../../lib/cases/changes';
import { addDays, beijingDate, header, numberVariable, type ApprovalDeps } from './support';

/**
 * 信用评定结果公示 (C5, docs/credit.md): the steps of taking a year's annual rating to the public.
 * The lists are the archived ratings' (credit_annual_ratings), under the model in force at the
 * cycle's end; each step writes the publication row keyed by year and case, so a retry writes
 * the same.
 */
export function createCreditPublicationActivities(deps: ApprovalDeps) {
  const { db } = deps;
  const yearOf = (input: ServiceTaskInput) => {
    const year = numberVariable(input, 'year');
    if (!year) throw new Error('the case names no year');
    return year;
  };

  return {
    /** 生成评定结果: the grade distribution and the red and black lists, for the reviewers. */
    async approvalCreditPublicationDraft(input: ServiceTaskInput): Promise<ServiceTaskResult> {
      const year = yearOf(input);
      const run = await ratingRun(db, year);
      if (!run) throw new Error(`${year} has not been rated`);
      const { model } = await modelAt(db, run.ratedOn);
      const [red, black] = await Promise.all([ratedOnList(db, year, model.redListGrades), ratedOnList(db, year, model.blackListGrades)]);
      const gradeSummary = model.grades.map((g) => `${g.grade} ${run.grades[g.grade] ?? 0} 家`).join('、');
      return {
        variables: { ratedEnterprises: run.enterprises, gradeSummary, redList: red.map((r) => r.name), blackList: black.map((r) => r.name) },
        note: `${year} 年度信用评定：${run.enterprises} 家企业，${gradeSummary}；红榜 ${red.length} 家，黑榜 ${black.length} 家`,
      };
    },

    /** 网上公示: the lists are public from today for the header's days, for objections. */
    async approvalCreditPublicationPublicity(input: ServiceTaskInput): Promise<ServiceTaskResult> {
      const year = yearOf(input);
      const days = Number(header(input, 'days', '7')) || 7;
      const from = beijingDate();
      const to = addDays(from, days - 1);
      await openPublicity(db, year, input.caseId, from, to);
      return { variables: { publicityFrom: from, publicityTo: to }, note: `${year} 年度信用评定结果公示 ${from} 至 ${to}` };
    },

    /** 正式发布. */
    async approvalCreditPublicationPublish(input: ServiceTaskInput): Promise<ServiceTaskResult> {
      const year = yearOf(input);
      const c = await caseInfo(db, input.caseId);
      await markPublished(db, year, c.id, beijingDate());
      return { note: `${year} 年度信用评定结果已发布` };
    },
  };
}
