import { lazy, Suspense, type ComponentType } from 'react';
import { Loading } from 'react-admin';

/**
 * A page whose code loads when it is first opened. The diagram (bpmn-js), the designer and its
 * properties panel, and Camunda forms (form-js) are most of the bundle's weight; the sign-in
 * page, 工作台 and the inboxes need none of them, so they load apart (issue 14: the first
 * screens stay within 400 kB gzip).
 */
export function lazyPage<P extends object>(load: () => Promise<ComponentType<P>>): ComponentType<P> {
  const Lazy = lazy(async () => ({ default: await load() }));
  const Page = (props: P) => (
    <Suspense fallback={<Loading />}>
      <Lazy {...props} />
    </Suspense>
  );
  return Page;
}
