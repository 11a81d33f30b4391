export { CaseList } from './CaseList';
export { CaseShow } from './CaseShow';
