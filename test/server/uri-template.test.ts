import { test } from 'tap'
import { compileUriTemplate } from '../../lib/server/uri-template.js'

test('{name} matches one segment and percent-decodes it', async (t) => {
  const template = compileUriTemplate('test://template/{id}/data')
  t.same(template.variables, ['id'])
  t.same(template.match('test://template/123/data'), { id: '123' })
  t.same(template.match('test://template/a%2Fb/data'), { id: 'a/b' }, 'an encoded slash is part of the value')
  t.equal(template.match('test://template/1/2/data'), null, 'a literal slash is not')
  t.equal(template.match('test://template//data'), null, 'an empty value does not match')
  t.equal(template.match('test://template/123/data?x=1'), null)
  t.equal(template.match('test://template/%E0%A4%A/data'), null, 'malformed percent-encoding does not match')
})

test('{+name} spans slashes and keeps reserved characters', async (t) => {
  const template = compileUriTemplate('file:///{+path}')
  t.same(template.match('file:///var/log/a%20b.log'), { path: 'var/log/a b.log' })
  t.same(template.match('file:///a%2Fb'), { path: 'a%2Fb' }, 'reserved characters stay encoded')
  t.equal(template.match('file:///%E0%A4%A'), null)
})

test('several variables, dotted names and literal regex characters', async (t) => {
  const template = compileUriTemplate('repo+x://{owner}/{repo.name}(v{version})')
  t.same(template.variables, ['owner', 'repo.name', 'version'])
  t.same(template.match('repo+x://fastify/sse(v2)'), { owner: 'fastify', 'repo.name': 'sse', version: '2' })
  t.equal(template.match('repo+xx://fastify/sse(v2)'), null)
})

test('a template without variables matches only itself', async (t) => {
  const template = compileUriTemplate('x://fixed.path')
  t.same(template.match('x://fixed.path'), {})
  t.equal(template.match('x://fixedXpath'), null, 'dots are literal')
})

test('unsupported or malformed templates are refused', async (t) => {
  t.throws(() => compileUriTemplate(''), { name: 'TypeError', message: /needs a URI template string/ })
  t.throws(() => compileUriTemplate(5 as any), { name: 'TypeError' })
  t.throws(() => compileUriTemplate('x://{a,b}'), { message: 'URI template "x://{a,b}": expression {a,b} is not supported; use {name} or {+name}' })
  t.throws(() => compileUriTemplate('x://{#frag}'), { message: /expression \{#frag\} is not supported/ })
  t.throws(() => compileUriTemplate('x://{}'), { message: /expression \{\} is not supported/ })
  t.throws(() => compileUriTemplate('x://{id}/{id}'), { message: 'URI template "x://{id}/{id}" uses {id} twice' })
  t.throws(() => compileUriTemplate('x://{id'), { message: 'URI template "x://{id" has an unbalanced brace' })
  t.throws(() => compileUriTemplate('x://id}'), { message: 'URI template "x://id}" has an unbalanced brace' })
  t.throws(() => compileUriTemplate('x://{a{b}'), { message: 'URI template "x://{a{b}" has an unbalanced brace' })
})
