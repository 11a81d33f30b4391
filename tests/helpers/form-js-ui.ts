import type { Locator, Page } from 'playwright-core';

/**
 * Filling a Camunda form (form-js, admin-ui/src/forms/CamundaForm.tsx) in the browser, by the
 * labels users read. form-js draws its own select and file picker, so these go through its DOM
 * (the fjs-* classes are form-js's public styling hooks).
 */
export function formField(page: Page, label: string): Locator {
  // The innermost field: a group is a form field too, holding its children's labels.
  return page
    .locator('.fjs-form-field:not(:has(.fjs-form-field))')
    .filter({ has: page.locator('label', { hasText: label }) })
    .first();
}

export async function fillFormField(page: Page, label: string, value: string): Promise<void> {
  const input = formField(page, label).locator('input, textarea').first();
  await input.fill(value);
  // form-js shows or clears a field's error on blur; leaving it now keeps the layout still for the next click.
  await input.blur();
}

/** A form-js select: opens its list and picks the option by its text. */
export async function pickFormOption(page: Page, label: string, option: string): Promise<void> {
  await formField(page, label).locator('.fjs-input-group').first().click();
  await page.locator('.fjs-dropdownlist-item', { hasText: option }).first().click();
}

/** A radio or checklist option, by its text. */
export async function checkFormOption(page: Page, label: string, option: string): Promise<void> {
  // form-js re-renders the input on change, so Playwright's check() cannot see it change: click.
  const input = formField(page, label).getByLabel(option, { exact: true });
  await input.click();
  await input.and(page.locator(':checked')).waitFor();
}

export async function setFormFiles(page: Page, label: string, files: Array<{ name: string; mimeType: string; buffer: Buffer }>): Promise<void> {
  await formField(page, label).locator('input[type=file]').setInputFiles(files);
}

/** The error form-js shows under a field (the platform's Chinese message). */
export function formFieldError(page: Page, label: string): Locator {
  return formField(page, label).locator('.fjs-form-field-error');
}
